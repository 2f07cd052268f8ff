package com.deliverychannels.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import com.deliverychannels.delivery.FailureKind;
import com.deliverychannels.delivery.SendOutcome;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.core.impl.NoStackTraceTimeoutException;
import io.vertx.ext.mail.SMTPException;

/**
 * Failures as the Vert.x mail client (4.5) reports them, read into kinds. The SMTP exceptions are built as
 * Vert.x builds them ({@code SMTPResponse.toException}): its own words for the stage ("recipient address not
 * accepted", "AUTH PLAIN failed"...), the reply code, and the reply lines as the server sent them.
 */
class SmtpFailuresTest {
    private static final String PASSWORD = "s3cret-Sm7p-pa55";

    /** Vert.x's words for the stage a reply answered, as {@code SMTPSendMail} and friends pass them. */
    private static final Map<String, String> STAGES = Map.of(
            "MAIL", "sender address not accepted",
            "RCPT", "recipient address not accepted",
            "DATA", "DATA command not accepted",
            "end of DATA", "sending data failed");

    @ParameterizedTest(name = "{0} to {1}")
    @MethodSource("transientReplies")
    void transientRepliesAskUsToComeBackLater(int code, String stage) {
        String line = code + " 4.3.0 try again later";

        SendOutcome.Failed failed = SmtpFailures.classify(smtp(STAGES.get(stage), code, line));

        assertEquals(FailureKind.SMTP_TRANSIENT, failed.kind());
        assertEquals(line, failed.diagnostic());
        assertTrue(failed.kind().retryable());
    }

    static Stream<Arguments> transientReplies() {
        return Stream.of(421, 450, 451, 452, 454)
                .flatMap(code -> STAGES.keySet().stream().sorted().map(stage -> Arguments.of(code, stage)));
    }

    @Test
    void aTransientRefusalOfTheCredentialsIsTransient() {
        SendOutcome.Failed failed = SmtpFailures.classify(
                smtp("AUTH PLAIN failed", 454, "454 4.7.0 Temporary authentication failure"));

        assertEquals(FailureKind.SMTP_TRANSIENT, failed.kind());
    }

    @Test
    void aRefusedRecipientIsRecipientRefused() {
        String line = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown";

        SendOutcome.Failed failed = SmtpFailures.classify(smtp("recipient address not accepted", 550, line));

        assertEquals(FailureKind.RECIPIENT_REFUSED, failed.kind());
        assertEquals(line, failed.diagnostic());
    }

    @ParameterizedTest(name = "{1} {2}")
    @MethodSource("permanentReplies")
    void permanentRepliesFailForGood(String stageWords, int code, String line) {
        SendOutcome.Failed failed = SmtpFailures.classify(smtp(stageWords, code, line));

        assertEquals(FailureKind.SMTP_PERMANENT, failed.kind());
        assertEquals(line, failed.diagnostic());
        assertFalse(failed.kind().retryable());
    }

    static Stream<Arguments> permanentReplies() {
        return Stream.of(
                Arguments.of("sending data failed", 554, "554 5.7.1 Message rejected as spam"),
                Arguments.of("DATA command not accepted", 554, "554 5.6.0 Message content rejected"),
                Arguments.of("sender address not accepted", 550, "550 5.7.1 Sender not allowed"),
                Arguments.of("sending data failed", 552, "552 5.3.4 Message size exceeds fixed limit"),
                Arguments.of("got error response", 554, "554 5.3.2 go away"));
    }

    @ParameterizedTest(name = "AUTH {0}")
    @MethodSource("refusedCredentials")
    void refusedCredentialsAreAuthFailed(String mechanism, String line) {
        SendOutcome.Failed failed = SmtpFailures.classify(smtp("AUTH " + mechanism + " failed", 535, line), PASSWORD);

        assertEquals(FailureKind.AUTH_FAILED, failed.kind());
        assertEquals(line, failed.diagnostic());
        assertFalse(failed.kind().retryable());
    }

    static Stream<Arguments> refusedCredentials() {
        return Stream.of(
                Arguments.of("PLAIN", "535 5.7.8 Authentication credentials invalid"),
                Arguments.of("LOGIN", "535 5.7.8 Username and Password not accepted"),
                Arguments.of("XOAUTH2", "535 5.7.8 Username and Password not accepted. Learn more at"));
    }

    @Test
    void aMultiLineReplyKeepsEveryLine() {
        SendOutcome.Failed failed = SmtpFailures.classify(smtp("recipient address not accepted", 550,
                "550-5.1.1 The email account that you tried to reach does not exist.",
                "550 5.1.1 Please try double-checking the recipient's email address"));

        assertEquals(FailureKind.RECIPIENT_REFUSED, failed.kind());
        assertEquals("550-5.1.1 The email account that you tried to reach does not exist. "
                + "550 5.1.1 Please try double-checking the recipient's email address", failed.diagnostic());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("connectionFailures")
    void unreachableServersAreConnectionFailures(String name, Throwable failure) {
        SendOutcome.Failed failed = SmtpFailures.classify(failure);

        assertEquals(FailureKind.CONNECTION, failed.kind());
        assertTrue(failed.kind().retryable());
        assertFalse(failed.diagnostic().isBlank());
    }

    static Stream<Arguments> connectionFailures() {
        return Stream.of(
                Arguments.of("connection refused", new ConnectException("Connection refused: /127.0.0.1:2525")),
                Arguments.of("unknown host", new UnknownHostException("smtp.example.invalid")),
                Arguments.of("closed by the server", new NoStackTraceThrowable("Connection was closed")),
                Arguments.of("socket closed", new IOException("socket was closed unexpected.")),
                Arguments.of("connection reset", new IOException("Connection reset by peer")),
                Arguments.of("wrapped by the future", new ExecutionException(new ConnectException("Connection refused"))),
                Arguments.of("wrapped twice", new CompletionException(
                        new ExecutionException(new ConnectException("Connection refused")))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("timeouts")
    void slowServersAreTimeouts(String name, Throwable failure) {
        SendOutcome.Failed failed = SmtpFailures.classify(failure);

        assertEquals(FailureKind.TIMEOUT, failed.kind());
        assertTrue(failed.kind().retryable());
    }

    static Stream<Arguments> timeouts() {
        return Stream.of(
                Arguments.of("no answer to the whole send", new TimeoutException()),
                Arguments.of("netty connect time-out", new ConnectTimeoutException(
                        "connection timed out after 10000 ms: /192.0.2.1:25")),
                Arguments.of("Vert.x time-out", new NoStackTraceTimeoutException("The timeout period of 30000ms has "
                        + "been exceeded while executing send")),
                Arguments.of("socket read time-out", new SocketTimeoutException("Read timed out")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unusableChannels")
    void aChannelThatCannotWorkAsConfiguredIsUnusable(String name, Throwable failure) {
        SendOutcome.Failed failed = SmtpFailures.classify(failure);

        assertEquals(FailureKind.CHANNEL_UNUSABLE, failed.kind());
        assertFalse(failed.kind().retryable());
    }

    static Stream<Arguments> unusableChannels() {
        return Stream.of(
                Arguments.of("certificate not trusted", new SSLHandshakeException(
                        "PKIX path building failed: unable to find valid certification path to requested target")),
                Arguments.of("certificate for another host", new SSLHandshakeException(
                        "No subject alternative DNS name matching smtp.example.com found.")),
                Arguments.of("TLS spoken to a plain server", new SSLException(
                        "Unsupported or unrecognized SSL message")),
                // Vert.x's own words (SMTPInitialDialogue, SMTPAuthentication) for a server that cannot do what
                // the settings require: no later attempt can succeed until the user changes them.
                Arguments.of("no STARTTLS offered", new NoStackTraceThrowable(
                        "STARTTLS required but not supported by server")),
                Arguments.of("no usable AUTH mechanism", new NoStackTraceThrowable(
                        "login is required, but no allowed AUTH methods available. You may need to do STARTTLS")));
    }

    @Test
    void thePasswordNeverReachesTheDiagnostic() {
        String base64 = Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8));

        SendOutcome.Failed echoed = SmtpFailures.classify(smtp("AUTH LOGIN failed", 535,
                "535 5.7.8 " + PASSWORD + " (" + base64 + ") is not accepted"), PASSWORD);
        SendOutcome.Failed inMessage = SmtpFailures.classify(new IOException("could not use " + PASSWORD), PASSWORD);

        assertEquals(FailureKind.AUTH_FAILED, echoed.kind());
        assertEquals("535 5.7.8 [redacted] ([redacted]) is not accepted", echoed.diagnostic());
        assertFalse(inMessage.diagnostic().contains(PASSWORD), inMessage.diagnostic());
    }

    @Test
    void diagnosticsAreOneBoundedLine() {
        SendOutcome.Failed failed = SmtpFailures.classify(smtp("sending data failed", 554,
                "554 5.7.1 " + "x".repeat(1000) + "\r"));

        assertFalse(failed.diagnostic().chars().anyMatch(Character::isISOControl), failed.diagnostic());
        assertTrue(failed.diagnostic().length() <= 503, "length " + failed.diagnostic().length());
        assertTrue(failed.diagnostic().startsWith("554 5.7.1 xxx"), failed.diagnostic());
    }

    /** CONTRACT §3 {@code retry}: what may pass by itself, and what needs someone to change something. */
    @ParameterizedTest
    @EnumSource(FailureKind.class)
    void retryableAsTheContractSays(FailureKind kind) {
        Map<FailureKind, Boolean> contract = new EnumMap<>(FailureKind.class);
        contract.put(FailureKind.CONNECTION, true);                 // connection failures
        contract.put(FailureKind.TIMEOUT, true);                    // and time-outs
        contract.put(FailureKind.SMTP_TRANSIENT, true);             // SMTP 4xx replies
        contract.put(FailureKind.TOKEN_ENDPOINT_UNAVAILABLE, true); // token-endpoint 5xx and time-outs
        contract.put(FailureKind.STORE_UNAVAILABLE, true);          // DynamoDB throttling
        contract.put(FailureKind.SMTP_PERMANENT, false);            // SMTP 5xx replies
        contract.put(FailureKind.RECIPIENT_REFUSED, false);         // refused recipients
        contract.put(FailureKind.AUTH_FAILED, false);               // authentication failures
        contract.put(FailureKind.GRANT_REVOKED, false);             // invalid_grant from Google
        contract.put(FailureKind.CHANNEL_UNUSABLE, false);          // settings the user must fix

        assertTrue(contract.containsKey(kind), "the contract says nothing of " + kind);
        assertEquals(contract.get(kind), kind.retryable());
    }

    /** An exception as Vert.x's {@code SMTPResponse.toException} makes it; the server advertised enhanced codes. */
    private static SMTPException smtp(String vertxWords, int code, String... lines) {
        return new SMTPException(vertxWords, code, List.of(lines), true);
    }
}
