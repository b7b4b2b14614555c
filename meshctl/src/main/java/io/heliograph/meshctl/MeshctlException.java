package io.heliograph.meshctl;

/**
 * A failure meshctl reports as one line on standard error and exit code 1: its message is that line (without the
 * {@code meshctl: } prefix). Usage errors are picocli's {@code ParameterException}s instead, and exit 2.
 */
public abstract sealed class MeshctlException extends RuntimeException {

    MeshctlException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The control plane answered with an HTTP error: its {@code code} and {@code message}, as it sent them. */
    public static final class Refused extends MeshctlException {
        private final int status;
        private final String code;

        Refused(int status, String code, String message) {
            super(message, null);
            this.status = status;
            this.code = code;
        }

        /** The HTTP status. */
        public int status() {
            return status;
        }

        /** The error's {@code code}, or {@code HTTP <status>} when the body carried none. */
        public String code() {
            return code;
        }
    }

    /** The control plane could not be reached, or did not answer in time: the message names the URL and the cause. */
    public static final class Unreachable extends MeshctlException {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The control plane answered 2xx with something that is not the JSON the contract describes. */
    public static final class BadAnswer extends MeshctlException {
        BadAnswer(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** An admin token or the JWT secret is needed and was given neither as an option nor in the environment. */
    public static final class MissingCredential extends MeshctlException {
        MissingCredential(String message) {
            super(message, null);
        }
    }
}
