package com.deliverychannels.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import com.deliverychannels.channel.SmtpAuthMethod;
import com.deliverychannels.channel.SmtpEndpoint;
import com.deliverychannels.channel.SmtpSecurity;
import com.deliverychannels.channel.SmtpStage;
import com.deliverychannels.channel.SmtpVerification;
import com.deliverychannels.testing.ScriptedSmtpServer;
import com.deliverychannels.testing.TestSmtpServer;
import com.deliverychannels.testing.TestSmtpServer.AuthAttempt;

/**
 * The SMTP settings check against real servers on loopback: {@link TestSmtpServer} for well-behaved ones,
 * {@link ScriptedSmtpServer} for servers that refuse, stall or hang up. The certificate they present is trusted
 * through the surefire trust store and names {@code localhost} and {@code 127.0.0.1}.
 */
class SocketSmtpProbeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** Long enough for one time-out to pass, short enough that a hung probe fails the test. */
    private static final Duration NO_HANG = TIMEOUT.multipliedBy(3);
    private static final InetAddress LOOPBACK = loopback();
    private static final String USER = "alice@example.test";
    private static final String PASSWORD = "correct horse battery staple";

    private static final SocketSmtpProbe PROBE = new SocketSmtpProbe(TIMEOUT, "probe.example.test");

    @ParameterizedTest(name = "{0} with AUTH {1}, connecting by {2}")
    @CsvSource({
            "STARTTLS, PLAIN, localhost",
            "STARTTLS, LOGIN, localhost",
            "STARTTLS, PLAIN, 127.0.0.1",
            "TLS,      PLAIN, 127.0.0.1",
            "TLS,      LOGIN, localhost",
    })
    void passesWithTheRightCredentials(SmtpSecurity security, SmtpAuthMethod method, String host) {
        try (TestSmtpServer smtp = serverFor(security)) {
            SmtpVerification result = PROBE.probe(endpoint(host, smtp.port(), security), USER, PASSWORD, method);

            assertEquals(new SmtpVerification(true, SmtpStage.DONE, "verify.done", null), result);
            assertEquals(List.of(new AuthAttempt(method.name(), USER, true)), smtp.authAttempts());
        }
    }

    @ParameterizedTest(name = "{0} with AUTH {1}")
    @CsvSource({"STARTTLS, PLAIN", "STARTTLS, LOGIN", "TLS, PLAIN", "TLS, LOGIN"})
    void refusesAWrongPasswordAtTheAuthStage(SmtpSecurity security, SmtpAuthMethod method) {
        try (TestSmtpServer smtp = serverFor(security)) {
            SmtpVerification result = PROBE.probe(endpoint(smtp, security), USER, "not the password", method);

            assertFalse(result.ok());
            assertEquals(SmtpStage.AUTH, result.stage());
            assertEquals("verify.auth.refused", result.messageKey());
            assertEquals("535 Authentication credentials invalid", result.serverReply());
            assertTrue(result.credentialsRefused());
            assertEquals(List.of(new AuthAttempt(method.name(), USER, false)), smtp.authAttempts());
        }
    }

    @ParameterizedTest(name = "server offers [{0}], probe asks for {1}")
    @CsvSource({"LOGIN, PLAIN, LOGIN", "PLAIN, LOGIN, PLAIN"})
    void reportsAMechanismTheServerDoesNotOffer(String offered, SmtpAuthMethod asked, String reply) {
        try (TestSmtpServer smtp = TestSmtpServer.builder().security(TestSmtpServer.Security.STARTTLS)
                .credentials(USER, PASSWORD).mechanisms(offered).start()) {
            SmtpVerification result = PROBE.probe(endpoint(smtp, SmtpSecurity.STARTTLS), USER, PASSWORD, asked);

            assertEquals(SmtpVerification.failed(SmtpStage.AUTH, "verify.auth.not-offered", reply), result);
            assertEquals(List.of(), smtp.authAttempts());
        }
    }

    @Test
    void reportsAServerThatOffersNoAuthenticationAtAll() {
        try (TestSmtpServer smtp = TestSmtpServer.builder().security(TestSmtpServer.Security.STARTTLS).start()) {
            SmtpVerification result = PROBE.probe(endpoint(smtp, SmtpSecurity.STARTTLS), USER, PASSWORD,
                    SmtpAuthMethod.PLAIN);

            // The reply lists the offered mechanisms: none, so it is empty rather than absent.
            assertEquals(SmtpVerification.failed(SmtpStage.AUTH, "verify.auth.not-offered", ""), result);
        }
    }

    @Test
    void refusesToAuthenticateOverAConnectionWithoutStartTls() {
        // The server would accept the credentials in plain text; the probe must not send them.
        try (TestSmtpServer smtp = TestSmtpServer.builder().credentials(USER, PASSWORD).start()) {
            SmtpVerification result = PROBE.probe(endpoint(smtp, SmtpSecurity.STARTTLS), USER, PASSWORD,
                    SmtpAuthMethod.PLAIN);

            assertEquals(SmtpVerification.failed(SmtpStage.TLS, "verify.tls.not-offered", null), result);
            assertEquals(List.of(), smtp.authAttempts());
        }
    }

    @Test
    void reportsNothingListeningAsAConnectFailure() {
        int closedPort = ScriptedSmtpServer.closedPort();

        SmtpVerification result = PROBE.probe(endpoint("localhost", closedPort, SmtpSecurity.STARTTLS), USER,
                PASSWORD, SmtpAuthMethod.PLAIN);

        assertFalse(result.ok());
        assertEquals(SmtpStage.CONNECT, result.stage());
        assertEquals("verify.connect.failed", result.messageKey());
        assertTrue(result.serverReply().contains("Connection refused"), result.serverReply());
    }

    /** A server that says no: where the probe stops, and the server's own words passed on to the user. */
    record Refusal(String name, Supplier<ScriptedSmtpServer> server, SmtpSecurity security, SmtpStage stage,
            String messageKey, String serverReply) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Refusal> refusals() {
        return Stream.of(
                new Refusal("greeting 554",
                        () -> ScriptedSmtpServer.greeting("554 5.3.2 go away").start(),
                        SmtpSecurity.STARTTLS, SmtpStage.CONNECT, "verify.connect.greeting", "554 5.3.2 go away"),
                new Refusal("greeting 554 over implicit TLS",
                        () -> ScriptedSmtpServer.greeting("554 5.3.2 go away").implicitTls().start(),
                        SmtpSecurity.TLS, SmtpStage.CONNECT, "verify.connect.greeting", "554 5.3.2 go away"),
                new Refusal("421 to EHLO",
                        () -> ScriptedSmtpServer.greeting("220 scripted ESMTP")
                                .on("EHLO", "421 4.3.2 shutting down").start(),
                        SmtpSecurity.STARTTLS, SmtpStage.CONNECT, "verify.connect.ehlo", "421 4.3.2 shutting down"),
                new Refusal("454 to STARTTLS",
                        () -> ScriptedSmtpServer.greeting("220 scripted ESMTP")
                                .on("EHLO", "250-scripted", "250 STARTTLS")
                                .on("STARTTLS", "454 4.7.0 TLS not available").start(),
                        SmtpSecurity.STARTTLS, SmtpStage.TLS, "verify.tls.refused", "454 4.7.0 TLS not available"),
                new Refusal("454 to AUTH after STARTTLS",
                        () -> startTlsThenAuth("454 4.7.0 Temporary authentication failure"),
                        SmtpSecurity.STARTTLS, SmtpStage.AUTH, "verify.auth.temporary",
                        "454 4.7.0 Temporary authentication failure"),
                new Refusal("454 to AUTH over implicit TLS",
                        () -> ScriptedSmtpServer.greeting("220 scripted ESMTP").implicitTls()
                                .on("EHLO", "250-scripted", "250 AUTH PLAIN LOGIN")
                                .on("AUTH", "454 4.7.0 Temporary authentication failure").start(),
                        SmtpSecurity.TLS, SmtpStage.AUTH, "verify.auth.temporary",
                        "454 4.7.0 Temporary authentication failure"),
                new Refusal("535 with a multi-line reply",
                        () -> startTlsThenAuth("535-5.7.8 Username and Password not accepted.",
                                "535 5.7.8 Learn more at https://support.example.test/auth"),
                        SmtpSecurity.STARTTLS, SmtpStage.AUTH, "verify.auth.refused",
                        "535 5.7.8 Username and Password not accepted. 5.7.8 Learn more at "
                                + "https://support.example.test/auth"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void reportsWhereTheServerSaidNoInItsOwnWords(Refusal refusal) {
        try (ScriptedSmtpServer smtp = refusal.server().get()) {
            SmtpVerification result = PROBE.probe(endpoint(smtp, refusal.security()), USER, PASSWORD,
                    SmtpAuthMethod.PLAIN);

            assertEquals(SmtpVerification.failed(refusal.stage(), refusal.messageKey(), refusal.serverReply()),
                    result);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"STARTTLS, CONNECT", "TLS, TLS"})
    void timesOutOnAServerThatNeverSpeaks(SmtpSecurity security, SmtpStage stage) {
        try (ScriptedSmtpServer smtp = ScriptedSmtpServer.silent()) {
            SmtpVerification result = assertTimeoutPreemptively(NO_HANG,
                    () -> PROBE.probe(endpoint(smtp, security), USER, PASSWORD, SmtpAuthMethod.PLAIN));

            assertEquals(SmtpVerification.failed(stage, "verify.timeout", null), result);
        }
    }

    @Test
    void reportsAHangUpRightAfterTheGreetingAsAConnectFailure() {
        // The probe counts EHLO as part of connecting, so a drop after the greeting reads as a connect failure.
        try (ScriptedSmtpServer smtp = ScriptedSmtpServer.greeting("220 scripted ESMTP").thenClose().start()) {
            SmtpVerification result = PROBE.probe(endpoint(smtp, SmtpSecurity.STARTTLS), USER, PASSWORD,
                    SmtpAuthMethod.PLAIN);

            assertFalse(result.ok());
            assertEquals(SmtpStage.CONNECT, result.stage());
            assertEquals("verify.connect.failed", result.messageKey());
            assertNotNull(result.serverReply());
        }
    }

    @Test
    void reportsAHangUpDuringAuthAsALostConnection() {
        try (ScriptedSmtpServer smtp = ScriptedSmtpServer.greeting("220 scripted ESMTP")
                .on("EHLO", "250-scripted", "250-STARTTLS", "250 AUTH PLAIN")
                .onStartTls()
                .hangUpOn("AUTH")
                .start()) {
            SmtpVerification result = PROBE.probe(endpoint(smtp, SmtpSecurity.STARTTLS), USER, PASSWORD,
                    SmtpAuthMethod.PLAIN);

            assertFalse(result.ok());
            assertEquals(SmtpStage.AUTH, result.stage());
            assertEquals("verify.connection-lost", result.messageKey());
        }
    }

    @Test
    void reportsAResetDuringAuthAsALostConnection() {
        try (ScriptedSmtpServer smtp = ScriptedSmtpServer.greeting("220 scripted ESMTP")
                .on("EHLO", "250-scripted", "250-STARTTLS", "250 AUTH PLAIN")
                .onStartTls()
                .resetOn("AUTH")
                .start()) {
            SmtpVerification result = PROBE.probe(endpoint(smtp, SmtpSecurity.STARTTLS), USER, PASSWORD,
                    SmtpAuthMethod.PLAIN);

            assertFalse(result.ok());
            assertEquals(SmtpStage.AUTH, result.stage());
            assertEquals("verify.connection-lost", result.messageKey());
            assertNotNull(result.serverReply());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SmtpSecurity.class)
    void refusesACertificateThatDoesNotNameTheHost(SmtpSecurity security) {
        try (TestSmtpServer smtp = serverFor(security)) {
            // The certificate names localhost and 127.0.0.1; the user's host resolved to this address.
            SmtpEndpoint endpoint = new SmtpEndpoint("example.invalid", LOOPBACK, smtp.port(), security);

            SmtpVerification result = PROBE.probe(endpoint, USER, PASSWORD, SmtpAuthMethod.PLAIN);

            assertFalse(result.ok());
            assertEquals(SmtpStage.TLS, result.stage());
            assertEquals("verify.tls.failed", result.messageKey());
            assertTrue(result.serverReply().contains("example.invalid"), result.serverReply());
            assertEquals(List.of(), smtp.authAttempts(), "credentials sent to an unverified server");
        }
    }

    @Test
    void reportsImplicitTlsAgainstAStartTlsPortAsATlsFailure() {
        try (TestSmtpServer smtp = TestSmtpServer.startTls(USER, PASSWORD)) {
            SmtpVerification result = assertTimeoutPreemptively(NO_HANG,
                    () -> PROBE.probe(endpoint(smtp, SmtpSecurity.TLS), USER, PASSWORD, SmtpAuthMethod.PLAIN));

            assertFalse(result.ok());
            assertEquals(SmtpStage.TLS, result.stage());
            assertEquals("verify.tls.failed", result.messageKey());
        }
    }

    @Test
    void reportsStartTlsAgainstAnImplicitTlsPortAsATimeout() {
        // Each side waits for the other to speak first: the client for a greeting, the server for a ClientHello.
        try (TestSmtpServer smtp = TestSmtpServer.implicitTls(USER, PASSWORD)) {
            SmtpVerification result = assertTimeoutPreemptively(NO_HANG,
                    () -> PROBE.probe(endpoint(smtp, SmtpSecurity.STARTTLS), USER, PASSWORD, SmtpAuthMethod.PLAIN));

            assertEquals(SmtpVerification.failed(SmtpStage.CONNECT, "verify.timeout", null), result);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SmtpSecurity.class)
    void neverDeliversAMessage(SmtpSecurity security) {
        try (TestSmtpServer smtp = serverFor(security)) {
            SmtpVerification result = PROBE.probe(endpoint(smtp, security), USER, PASSWORD, SmtpAuthMethod.LOGIN);

            assertTrue(result.ok());
            assertEquals(List.of(), smtp.messages());
        }
    }

    @Test
    void stopsAfterAuthenticationWithoutStartingAMailTransaction() {
        // A server that would accept a whole transaction: the probe must still say only EHLO, AUTH and QUIT.
        try (ScriptedSmtpServer smtp = ScriptedSmtpServer.greeting("220 scripted ESMTP")
                .on("EHLO", "250-scripted", "250-STARTTLS", "250 AUTH PLAIN LOGIN")
                .onStartTls()
                .on("AUTH", "235 2.7.0 Authentication successful")
                .on("MAIL", "250 2.1.0 OK")
                .on("RCPT", "250 2.1.5 OK")
                .on("DATA", "354 go ahead")
                .start()) {
            SmtpVerification result = PROBE.probe(endpoint(smtp, SmtpSecurity.STARTTLS), USER, PASSWORD,
                    SmtpAuthMethod.PLAIN);

            assertEquals(SmtpVerification.passed(), result);
            assertEquals(List.of("EHLO", "STARTTLS", "EHLO", "AUTH", "QUIT"), smtp.commands());
        }
    }

    /** A way a verification can end, run with the given password. */
    record Outcome(String name, Function<String, SmtpVerification> verifyWith) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Outcome> outcomes() {
        return Stream.of(
                new Outcome("passed", password -> verify(TestSmtpServer.startTls(USER, password),
                        password, SmtpAuthMethod.PLAIN)),
                new Outcome("refused with PLAIN", password -> verify(TestSmtpServer.startTls(USER, "other"),
                        password, SmtpAuthMethod.PLAIN)),
                new Outcome("refused with LOGIN", password -> verify(TestSmtpServer.startTls(USER, "other"),
                        password, SmtpAuthMethod.LOGIN)),
                new Outcome("temporary failure", password -> verify(
                        startTlsThenAuth("454 4.7.0 Temporary authentication failure"), password)),
                new Outcome("certificate mismatch", password -> {
                    try (TestSmtpServer smtp = TestSmtpServer.startTls(USER, password)) {
                        return PROBE.probe(new SmtpEndpoint("example.invalid", LOOPBACK, smtp.port(),
                                SmtpSecurity.STARTTLS), USER, password, SmtpAuthMethod.PLAIN);
                    }
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outcomes")
    void neverReturnsThePassword(Outcome outcome) {
        SmtpVerification result = outcome.verifyWith().apply(PASSWORD);

        assertNoPassword(result);
    }

    @Test
    void givesUpOnAServerThatTricklesItsReplies() {
        // Every byte arrives well within the read time-out, but the conversation as a whole never ends.
        try (ScriptedSmtpServer smtp = ScriptedSmtpServer.greeting("220 scripted ESMTP at a snail's pace")
                .trickle(Duration.ofMillis(400))
                .start()) {
            SmtpVerification result = assertTimeoutPreemptively(NO_HANG,
                    () -> PROBE.probe(endpoint(smtp, SmtpSecurity.STARTTLS), USER, PASSWORD, SmtpAuthMethod.PLAIN));

            assertEquals(SmtpVerification.failed(SmtpStage.CONNECT, "verify.timeout", null), result);
        }
    }

    @Test
    void neverReturnsThePasswordEvenWhenTheServerEchoesTheAuthCommand() {
        try (ScriptedSmtpServer smtp = ScriptedSmtpServer.greeting("220 scripted ESMTP")
                .on("EHLO", "250-scripted", "250-STARTTLS", "250 AUTH PLAIN")
                .onStartTls()
                .on("AUTH", line -> List.of("535 5.7.8 rejected: " + line))
                .start()) {
            SmtpVerification result = PROBE.probe(endpoint(smtp, SmtpSecurity.STARTTLS), USER, PASSWORD,
                    SmtpAuthMethod.PLAIN);

            assertEquals(SmtpStage.AUTH, result.stage());
            assertNoPassword(result);
        }
    }

    /** The password as typed, as AUTH LOGIN sends it, and inside the AUTH PLAIN message. */
    private static void assertNoPassword(SmtpVerification result) {
        String shown = result.toString();
        for (String form : List.of(PASSWORD, base64(PASSWORD), base64("\0" + USER + "\0" + PASSWORD))) {
            assertFalse(shown.contains(form), "the verification carries the password: " + result.messageKey());
        }
    }

    private static SmtpVerification verify(TestSmtpServer smtp, String password, SmtpAuthMethod method) {
        try (smtp) {
            return PROBE.probe(endpoint(smtp, SmtpSecurity.STARTTLS), USER, password, method);
        }
    }

    private static SmtpVerification verify(ScriptedSmtpServer smtp, String password) {
        try (smtp) {
            return PROBE.probe(endpoint(smtp, SmtpSecurity.STARTTLS), USER, password, SmtpAuthMethod.PLAIN);
        }
    }

    private static ScriptedSmtpServer startTlsThenAuth(String... authReply) {
        return ScriptedSmtpServer.greeting("220 scripted ESMTP")
                .on("EHLO", "250-scripted", "250-STARTTLS", "250 AUTH PLAIN LOGIN")
                .onStartTls()
                .on("AUTH", authReply)
                .start();
    }

    private static TestSmtpServer serverFor(SmtpSecurity security) {
        return switch (security) {
            case STARTTLS -> TestSmtpServer.startTls(USER, PASSWORD);
            case TLS -> TestSmtpServer.implicitTls(USER, PASSWORD);
        };
    }

    private static SmtpEndpoint endpoint(TestSmtpServer smtp, SmtpSecurity security) {
        return endpoint(smtp.host(), smtp.port(), security);
    }

    private static SmtpEndpoint endpoint(ScriptedSmtpServer smtp, SmtpSecurity security) {
        return endpoint(smtp.host(), smtp.port(), security);
    }

    private static SmtpEndpoint endpoint(String host, int port, SmtpSecurity security) {
        return new SmtpEndpoint(host, LOOPBACK, port, security);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
