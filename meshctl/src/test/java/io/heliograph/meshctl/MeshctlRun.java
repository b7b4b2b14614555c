package io.heliograph.meshctl;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.InstantSource;
import java.util.Map;

/** One run of meshctl in this JVM: its exit code and what it printed on standard output and standard error. */
record MeshctlRun(int exitCode, String out, String err) {

    static MeshctlRun of(Map<String, String> environment, String... args) {
        return of(environment, InstantSource.system(), args);
    }

    static MeshctlRun of(Map<String, String> environment, InstantSource clock, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = MeshctlCommand.run(new MeshctlCommand(environment, clock), new PrintWriter(out),
                new PrintWriter(err), args);
        return new MeshctlRun(code, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
}
