package io.heliograph.meshctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.auth.Operation;
import io.heliograph.protocol.auth.TokenClaims;
import io.heliograph.protocol.auth.Tokens;

class TokenCommandTest {

    private static final String SECRET = "a-deployment-secret-of-32-chars!";
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final InstantSource CLOCK = InstantSource.fixed(NOW);

    private static MeshctlRun token(Map<String, String> env, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "token";
        System.arraycopy(args, 0, all, 1, args.length);
        return MeshctlRun.of(env, CLOCK, all);
    }

    @Test
    void theTokenVerifiesWithTheSecretAndCarriesSubCapsAndExp() {
        MeshctlRun run = token(Map.of(MeshctlCommand.JWT_SECRET_ENV, SECRET), "--sub", "alice", "--caps",
                "{\"chat:*\":[\"subscribe\",\"publish\"],\"news\":[\"history\"]}", "--ttl", "2h");

        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("", run.err());
        TokenClaims claims = new Tokens(SECRET, CLOCK).verify(run.out().strip());
        assertEquals("alice", claims.clientId());
        assertEquals(NOW.plus(Duration.ofHours(2)), claims.expiresAt());
        assertEquals(Map.of("chat:*", List.of("subscribe", "publish"), "news", List.of("history")),
                claims.capabilities().claim());
        assertTrue(claims.capabilities().allows("chat:lobby", Operation.PUBLISH));
        assertFalse(claims.capabilities().allows("news", Operation.PUBLISH));
    }

    @Test
    void theTokenIsTheOnlyLineOnStandardOutputAndLastsAnHourByDefault() {
        MeshctlRun run = token(Map.of(), "--sub", "bob", "--caps", "{\"*\":[\"*\"]}", "--secret", SECRET);

        assertEquals(0, run.exitCode(), run::toString);
        assertEquals(1, run.out().lines().count());
        assertEquals(NOW.plus(Duration.ofHours(1)), new Tokens(SECRET, CLOCK).verify(run.out().strip()).expiresAt());
    }

    @Test
    void aTokenMintedWithAnotherSecretIsRefusedByTheEdge() {
        MeshctlRun run = token(Map.of(), "--sub", "bob", "--caps", "{\"*\":[\"*\"]}", "--secret", SECRET);

        HeliographException refused = org.junit.jupiter.api.Assertions.assertThrows(HeliographException.class,
                () -> new Tokens("another-secret-of-enough-length", CLOCK).verify(run.out().strip()));
        assertTrue(refused.getMessage().contains("invalid token"), refused::getMessage);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{chat                          | not JSON",
            "[\"chat\"]                     | must be a JSON object mapping channel patterns to lists of operations",
            "{\"chat\":\"subscribe\"}       | 'chat' must map to a list of operations",
            "{\"chat\":[]}                  | 'chat' grants no operation",
            "{\"chat\":[1]}                 | 'chat': operations are strings",
            "{\"chat:*\":[\"read\"]}        | unknown operation 'read' (allowed: subscribe, publish, presence, history, *)",
            "{\"chat\":[\"*\",\"bogus\"]}   | unknown operation 'bogus'",
            "{\"chat/#\":[\"subscribe\"]}   | pattern 'chat/#' can match no channel",
            "{\"\":[\"subscribe\"]}         | pattern '' can match no channel"})
    void aBadCapsClaimIsAUsageErrorThatSaysWhatIsWrong(String caps, String reason) {
        MeshctlRun run = token(Map.of(MeshctlCommand.JWT_SECRET_ENV, SECRET), "--sub", "alice", "--caps", caps);

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().contains("Invalid value for option '--caps': "), run::toString);
        assertTrue(run.err().contains(reason), run::toString);
        assertTrue(run.err().contains("Usage: meshctl token"), run::toString);
        assertEquals("", run.out());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "forever | 'forever' is not a duration",
            "1 hour  | '1 hour' is not a duration",
            "0s      | '0s' is not positive",
            "-1h     | '-1h' is not a duration",
            "PT-1H   | 'PT-1H' is not positive",
            "400d    | --ttl: 400d is longer than the most meshctl mints, 365d"})
    void aBadTtlIsAUsageError(String ttl, String reason) {
        MeshctlRun run = token(Map.of(MeshctlCommand.JWT_SECRET_ENV, SECRET), "--sub", "alice", "--caps",
                "{\"*\":[\"*\"]}", "--ttl", ttl);

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().contains(reason), run::toString);
        assertTrue(run.err().contains("Usage: meshctl token"), run::toString);
    }

    @Test
    void anAtSignStartsAValueNotAFileOfArguments(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("ops"), "mallory");
        String subject = "@" + file.toAbsolutePath();

        MeshctlRun run = token(Map.of(MeshctlCommand.JWT_SECRET_ENV, SECRET), "--sub", subject, "--caps",
                "{\"@ops:*\":[\"presence\"]}");

        assertEquals(0, run.exitCode(), run::toString);
        assertEquals(subject, new Tokens(SECRET, CLOCK).verify(run.out().strip()).clientId());
    }

    @Test
    void aSubjectLongerThanTheEdgeAcceptsIsAUsageError() {
        MeshctlRun run = token(Map.of(MeshctlCommand.JWT_SECRET_ENV, SECRET), "--sub", "x".repeat(257), "--caps",
                "{}");

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().contains("--sub: the client id must be 1 to 256 characters; got 257"), run::toString);
    }

    @Test
    void withoutASecretTokenExitsOneAndSaysWhereToPutIt() {
        MeshctlRun run = token(Map.of(), "--sub", "alice", "--caps", "{}");

        assertEquals(1, run.exitCode(), run::toString);
        assertEquals("meshctl: no JWT secret: pass --secret or set HELIOGRAPH_JWT_SECRET\n", run.err());
    }

    @Test
    void aShortSecretIsRefusedNamingWhereItCameFrom() {
        MeshctlRun fromEnv = token(Map.of(MeshctlCommand.JWT_SECRET_ENV, "short"), "--sub", "a", "--caps", "{}");
        assertEquals(1, fromEnv.exitCode(), fromEnv::toString);
        assertEquals("meshctl: HELIOGRAPH_JWT_SECRET is 5 characters; the JWT secret must be at least 16\n",
                fromEnv.err());

        MeshctlRun fromOption = token(Map.of(), "--sub", "a", "--caps", "{}", "--secret", "short");
        assertEquals(2, fromOption.exitCode(), fromOption::toString);
        assertTrue(fromOption.err().contains("--secret: the JWT secret must be at least 16 characters; got 5"),
                fromOption::toString);
    }
}
