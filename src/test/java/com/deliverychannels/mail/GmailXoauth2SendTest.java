package com.deliverychannels.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.deliverychannels.channel.ChannelService;
import com.deliverychannels.channel.ChannelSettings;
import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.channel.GmailConnection;
import com.deliverychannels.channel.GmailStatus;
import com.deliverychannels.crypto.CredentialSealer;
import com.deliverychannels.delivery.ChannelMailer;
import com.deliverychannels.delivery.FailureKind;
import com.deliverychannels.delivery.OutgoingMessage;
import com.deliverychannels.delivery.SendOutcome;
import com.deliverychannels.testing.GmailSmtpResource;
import com.deliverychannels.testing.GoogleTokenEndpoint;
import com.deliverychannels.testing.TestSmtpServer;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The GMAIL channel below the send function: an access token by the refresh grant (WireMock standing in for
 * Google's token endpoint), then SASL XOAUTH2 over STARTTLS as the connected account to a real SMTP server
 * playing smtp.gmail.com, and every way that can fail told apart.
 */
@QuarkusTest
@TestProfile(GmailXoauth2SendTest.GmailSmtpProfile.class)
class GmailXoauth2SendTest {
    private static final String ADDRESS = GmailSmtpResource.ADDRESS;

    /** Gmail's SMTP settings pointed at {@link GmailSmtpResource}. */
    public static class GmailSmtpProfile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(GmailSmtpResource.class));
        }
    }

    @Inject
    ChannelMailer mailer;

    @Inject
    CredentialSealer sealer;

    @Test
    void sendsAsTheConnectedAccountWithItsAccessToken() {
        String user = newUser();
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubRefresh(refreshToken, GmailSmtpResource.ACCEPTED_ACCESS_TOKEN, 3599);
        OutgoingMessage message = message();

        SendOutcome outcome = send(user, connected(user, refreshToken), message);

        assertInstanceOf(SendOutcome.Sent.class, outcome, outcome.toString());
        TestSmtpServer.ReceivedMessage received = received(message);
        assertEquals(ADDRESS, received.envelopeFrom());
        assertTrue(received.header("From").contains(ADDRESS), received.header("From"));
        assertEquals(List.of("bob@example.com"), received.recipients());
        assertTrue(smtp().authAttempts().contains(new TestSmtpServer.AuthAttempt("XOAUTH2", ADDRESS, true)),
                smtp().authAttempts().toString());
    }

    @Test
    void accessTokenIsReusedForTheNextMessage() {
        String user = newUser();
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubRefresh(refreshToken, GmailSmtpResource.ACCEPTED_ACCESS_TOKEN, 3599);

        assertInstanceOf(SendOutcome.Sent.class, send(user, connected(user, refreshToken), message()));
        assertInstanceOf(SendOutcome.Sent.class, send(user, connected(user, refreshToken), message()));

        assertEquals(1, GoogleTokenEndpoint.requestsWith("refresh_token", refreshToken).size());
    }

    @Test
    void refreshGrantCarriesTheUnsealedRefreshTokenAndOurClient() {
        String user = newUser();
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubRefresh(refreshToken, GmailSmtpResource.ACCEPTED_ACCESS_TOKEN, 3599);

        send(user, connected(user, refreshToken), message());

        List<Map<String, String>> calls = GoogleTokenEndpoint.requestsWith("refresh_token", refreshToken);
        assertEquals(1, calls.size());
        assertEquals("refresh_token", calls.get(0).get("grant_type"));
        assertEquals(GoogleTokenEndpoint.CLIENT_ID, calls.get(0).get("client_id"));
        assertEquals(GoogleTokenEndpoint.CLIENT_SECRET, calls.get(0).get("client_secret"));
    }

    @Test
    void accessTokenGmailRefusesIsAnAuthenticationFailureAndIsNotReused() {
        String user = newUser();
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubRefresh(refreshToken, "ya29.a0-revoked-access-token", 3599);
        int attemptsBefore = smtp().authAttempts().size();

        SendOutcome outcome = send(user, connected(user, refreshToken), message());

        SendOutcome.Failed failed = assertInstanceOf(SendOutcome.Failed.class, outcome, outcome.toString());
        assertEquals(FailureKind.AUTH_FAILED, failed.kind(), failed.diagnostic());
        assertFalse(failed.diagnostic().contains("ya29.a0-revoked-access-token"), failed.diagnostic());
        assertEquals(new TestSmtpServer.AuthAttempt("XOAUTH2", ADDRESS, false),
                smtp().authAttempts().get(attemptsBefore));
        assertEquals(2, GoogleTokenEndpoint.requestsWith("refresh_token", refreshToken).size(),
                "a refused cached token is forgotten and the attempt tries once more with a fresh one");
        assertEquals(attemptsBefore + 2, smtp().authAttempts().size());

        send(user, connected(user, refreshToken), message());

        assertEquals(4, GoogleTokenEndpoint.requestsWith("refresh_token", refreshToken).size(),
                "a token Gmail refused is never reused: the next attempt asks Google again");
    }

    @Test
    void revokedGrantFailsWithoutTouchingGmail() {
        String user = newUser();
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubRefreshRefused(refreshToken);
        int attemptsBefore = smtp().authAttempts().size();
        int messagesBefore = smtp().messages().size();

        SendOutcome outcome = send(user, connected(user, refreshToken), message());

        SendOutcome.Failed failed = assertInstanceOf(SendOutcome.Failed.class, outcome, outcome.toString());
        assertEquals(FailureKind.GRANT_REVOKED, failed.kind(), failed.diagnostic());
        assertFalse(failed.kind().retryable());
        assertFalse(failed.diagnostic().contains(refreshToken), failed.diagnostic());
        assertEquals(attemptsBefore, smtp().authAttempts().size(), "no SMTP conversation without an access token");
        assertEquals(messagesBefore, smtp().messages().size());
    }

    @Test
    void failingTokenEndpointIsRetryable() {
        String user = newUser();
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubRefreshStatus(refreshToken, 503);
        int attemptsBefore = smtp().authAttempts().size();

        SendOutcome outcome = send(user, connected(user, refreshToken), message());

        SendOutcome.Failed failed = assertInstanceOf(SendOutcome.Failed.class, outcome, outcome.toString());
        assertEquals(FailureKind.TOKEN_ENDPOINT_UNAVAILABLE, failed.kind(), failed.diagnostic());
        assertTrue(failed.kind().retryable());
        assertEquals(attemptsBefore, smtp().authAttempts().size());
    }

    @Test
    void unreachableTokenEndpointIsRetryable() {
        String user = newUser();
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubRefreshReset(refreshToken);

        SendOutcome outcome = send(user, connected(user, refreshToken), message());

        SendOutcome.Failed failed = assertInstanceOf(SendOutcome.Failed.class, outcome, outcome.toString());
        assertEquals(FailureKind.TOKEN_ENDPOINT_UNAVAILABLE, failed.kind(), failed.diagnostic());
    }

    @Test
    void connectionThatMustBeRenewedFailsWithoutAskingGoogle() {
        String user = newUser();
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubRefresh(refreshToken, GmailSmtpResource.ACCEPTED_ACCESS_TOKEN, 3599);
        GmailConnection revoked = new GmailConnection(ADDRESS,
                sealer.seal(refreshToken, ChannelService.gmailTokenContext(user)), GmailStatus.RECONNECT_REQUIRED,
                Instant.now());
        int attemptsBefore = smtp().authAttempts().size();

        SendOutcome outcome = send(user, ChannelSettings.initial().withGmail(revoked), message());

        SendOutcome.Failed failed = assertInstanceOf(SendOutcome.Failed.class, outcome, outcome.toString());
        assertEquals(FailureKind.GRANT_REVOKED, failed.kind(), failed.diagnostic());
        assertTrue(GoogleTokenEndpoint.requestsWith("refresh_token", refreshToken).isEmpty());
        assertEquals(attemptsBefore, smtp().authAttempts().size());
    }

    @Test
    void refreshTokenSealedForAnotherUserIsNotUsed() {
        String user = newUser();
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubRefresh(refreshToken, GmailSmtpResource.ACCEPTED_ACCESS_TOKEN, 3599);

        SendOutcome outcome = send(user, connected(newUser(), refreshToken), message());

        SendOutcome.Failed failed = assertInstanceOf(SendOutcome.Failed.class, outcome, outcome.toString());
        assertEquals(FailureKind.CHANNEL_UNUSABLE, failed.kind(), failed.diagnostic());
        assertTrue(GoogleTokenEndpoint.requestsWith("refresh_token", refreshToken).isEmpty());
    }

    private SendOutcome send(String user, ChannelSettings settings, OutgoingMessage message) {
        return mailer.send(user, ChannelType.GMAIL, settings, message);
    }

    /** Settings with Gmail connected for {@code sealedFor}, the refresh token sealed as the product seals it. */
    private ChannelSettings connected(String sealedFor, String refreshToken) {
        return ChannelSettings.initial().withActive(ChannelType.GMAIL).withGmail(new GmailConnection(ADDRESS,
                sealer.seal(refreshToken, ChannelService.gmailTokenContext(sealedFor)), GmailStatus.CONNECTED,
                Instant.now()));
    }

    /** A message as the send function composes it for GMAIL: From the connected account, no extra headers. */
    private static OutgoingMessage message() {
        String deliveryId = "dlv-" + UUID.randomUUID();
        return new OutgoingMessage(deliveryId, "Alice Martin", ADDRESS, null, List.of("bob@example.com"), List.of(),
                List.of(), null, "Quarterly numbers " + deliveryId, "Hello Bob", null, Map.of());
    }

    /** The server records a message before it answers 250 to DATA: once sent, it is there. */
    private static TestSmtpServer.ReceivedMessage received(OutgoingMessage message) {
        return smtp().messages().stream().filter(m -> message.subject().equals(m.header("Subject"))).findFirst()
                .orElseThrow(() -> new AssertionError("Gmail never received " + message.subject()));
    }

    private static TestSmtpServer smtp() {
        return GmailSmtpResource.server();
    }

    private static String newUser() {
        return "user-" + UUID.randomUUID();
    }

    private static String newRefreshToken() {
        return "1//refresh-" + UUID.randomUUID();
    }
}
