package com.deliverychannels.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.deliverychannels.channel.GmailTokenException;
import com.deliverychannels.channel.GmailTokens;
import com.deliverychannels.testing.GoogleTokenEndpoint;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The product's calls to Google's token endpoint (WireMock standing in for it): the code exchange, the
 * refresh grant with its in-memory cache, and how each refusal is classified for the caller.
 */
@QuarkusTest
class OidcGmailTokensTest {
    private static final String REDIRECT_URI = "https://app.example.com/oauth/google";

    @Inject
    GmailTokens tokens;

    @Test
    void refreshGrantAnswersTheAccessToken() {
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubRefresh(refreshToken, "ya29.first", 3599);

        assertEquals("ya29.first", tokens.accessToken(refreshToken));
    }

    @Test
    void refreshGrantPostsTheRefreshTokenWithOurClientCredentialsInTheBody() {
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubRefresh(refreshToken, "ya29.body", 3599);

        tokens.accessToken(refreshToken);

        List<Map<String, String>> calls = GoogleTokenEndpoint.requestsWith("refresh_token", refreshToken);
        assertEquals(1, calls.size());
        assertEquals("refresh_token", calls.get(0).get("grant_type"));
        assertEquals(GoogleTokenEndpoint.CLIENT_ID, calls.get(0).get("client_id"));
        assertEquals(GoogleTokenEndpoint.CLIENT_SECRET, calls.get(0).get("client_secret"));
    }

    @Test
    void accessTokenIsReusedUntilShortlyBeforeItExpires() {
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubRefresh(refreshToken, "ya29.cached", 3599);

        assertEquals("ya29.cached", tokens.accessToken(refreshToken));
        assertEquals("ya29.cached", tokens.accessToken(refreshToken));

        assertEquals(1, GoogleTokenEndpoint.requestsWith("refresh_token", refreshToken).size());
    }

    @Test
    void accessTokenAboutToExpireIsRefreshedAgain() {
        String refreshToken = newRefreshToken();
        // Within the minute of margin: not worth keeping for a message that may take a while to send.
        GoogleTokenEndpoint.stubRefresh(refreshToken, "ya29.short-lived", 30);

        tokens.accessToken(refreshToken);
        tokens.accessToken(refreshToken);

        assertEquals(2, GoogleTokenEndpoint.requestsWith("refresh_token", refreshToken).size());
    }

    @Test
    void forgottenAccessTokenIsRefreshedOnTheNextCall() {
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubRefresh(refreshToken, "ya29.refused-by-smtp", 3599);
        tokens.accessToken(refreshToken);

        tokens.forget(refreshToken);
        tokens.accessToken(refreshToken);

        assertEquals(2, GoogleTokenEndpoint.requestsWith("refresh_token", refreshToken).size());
    }

    @Test
    void cacheIsPerRefreshToken() {
        String first = newRefreshToken();
        String second = newRefreshToken();
        GoogleTokenEndpoint.stubRefresh(first, "ya29.one", 3599);
        GoogleTokenEndpoint.stubRefresh(second, "ya29.two", 3599);

        assertEquals("ya29.one", tokens.accessToken(first));
        assertEquals("ya29.two", tokens.accessToken(second));
    }

    @Test
    void revokedRefreshTokenIsAnInvalidGrant() {
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubRefreshRefused(refreshToken);

        GmailTokenException e = assertThrows(GmailTokenException.class, () -> tokens.accessToken(refreshToken));

        assertEquals(GmailTokenException.Kind.INVALID_GRANT, e.kind());
        assertFalse(String.valueOf(e.getMessage()).contains(refreshToken), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = { 500, 502, 503 })
    void serverErrorIsUnavailable(int status) {
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubRefreshStatus(refreshToken, status);

        GmailTokenException e = assertThrows(GmailTokenException.class, () -> tokens.accessToken(refreshToken));

        assertEquals(GmailTokenException.Kind.UNAVAILABLE, e.kind());
    }

    @Test
    void failedRefreshIsNotCached() {
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubRefreshStatus(refreshToken, 503);
        assertThrows(GmailTokenException.class, () -> tokens.accessToken(refreshToken));

        GoogleTokenEndpoint.stubRefresh(refreshToken, "ya29.recovered", 3599);

        assertEquals("ya29.recovered", tokens.accessToken(refreshToken));
    }

    @Test
    void invalidClientIsRefused() {
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubRefreshInvalidClient(refreshToken);

        GmailTokenException e = assertThrows(GmailTokenException.class, () -> tokens.accessToken(refreshToken));

        assertEquals(GmailTokenException.Kind.REFUSED, e.kind());
    }

    @Test
    void resetConnectionIsUnavailable() {
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubRefreshReset(refreshToken);

        GmailTokenException e = assertThrows(GmailTokenException.class, () -> tokens.accessToken(refreshToken));

        assertEquals(GmailTokenException.Kind.UNAVAILABLE, e.kind());
    }

    @Test
    void codeExchangeAnswersTheRefreshTokenAndTheAccountAddress() {
        String code = newCode();
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubCodeExchange(code, refreshToken, "alice.martin@gmail.com");

        GmailTokens.GmailGrant grant = tokens.exchange(code, REDIRECT_URI);

        assertEquals(refreshToken, grant.refreshToken());
        assertEquals("alice.martin@gmail.com", grant.email());
        assertFalse(grant.toString().contains(refreshToken), grant.toString());
    }

    @Test
    void codeExchangePostsTheCodeAndRedirectUriWithOurClientCredentials() {
        String code = newCode();
        GoogleTokenEndpoint.stubCodeExchange(code, newRefreshToken(), "alice.martin@gmail.com");

        tokens.exchange(code, REDIRECT_URI);

        GoogleTokenEndpoint.assertCodeExchangedOnce(code, REDIRECT_URI);
    }

    @Test
    void grantWithoutRefreshTokenSaysSo() {
        String code = newCode();
        GoogleTokenEndpoint.stubCodeExchange(code, null,
                GoogleTokenEndpoint.idTokenClaims(GoogleTokenEndpoint.CLIENT_ID, "alice.martin@gmail.com"));

        GmailTokens.GmailGrant grant = tokens.exchange(code, REDIRECT_URI);

        assertNull(grant.refreshToken());
        assertEquals("alice.martin@gmail.com", grant.email());
    }

    @Test
    void usedCodeIsAnInvalidGrant() {
        String code = newCode();
        GoogleTokenEndpoint.stubCodeRefused(code);

        GmailTokenException e = assertThrows(GmailTokenException.class, () -> tokens.exchange(code, REDIRECT_URI));

        assertEquals(GmailTokenException.Kind.INVALID_GRANT, e.kind());
        assertFalse(String.valueOf(e.getMessage()).contains(code), e.getMessage());
    }

    @Test
    void idTokenForAnotherClientIsRefused() {
        String code = newCode();
        GoogleTokenEndpoint.stubCodeExchange(code, newRefreshToken(),
                GoogleTokenEndpoint.idTokenClaims("someone-elses-client", "alice.martin@gmail.com"));

        GmailTokenException e = assertThrows(GmailTokenException.class, () -> tokens.exchange(code, REDIRECT_URI));

        assertEquals(GmailTokenException.Kind.REFUSED, e.kind());
    }

    @Test
    void idTokenWithUnverifiedAddressIsRefused() {
        String code = newCode();
        Map<String, Object> claims = new java.util.LinkedHashMap<>(
                GoogleTokenEndpoint.idTokenClaims(GoogleTokenEndpoint.CLIENT_ID, "alice.martin@gmail.com"));
        claims.put("email_verified", false);
        GoogleTokenEndpoint.stubCodeExchange(code, newRefreshToken(), claims);

        GmailTokenException e = assertThrows(GmailTokenException.class, () -> tokens.exchange(code, REDIRECT_URI));

        assertEquals(GmailTokenException.Kind.REFUSED, e.kind());
    }

    @Test
    void idTokenWithAnAddressNoHeaderCanCarryIsRefused() {
        String code = newCode();
        GoogleTokenEndpoint.stubCodeExchange(code, newRefreshToken(),
                GoogleTokenEndpoint.idTokenClaims(GoogleTokenEndpoint.CLIENT_ID, "alice@gmail.com\r\nBcc: x@evil.example"));

        GmailTokenException e = assertThrows(GmailTokenException.class, () -> tokens.exchange(code, REDIRECT_URI));

        assertEquals(GmailTokenException.Kind.REFUSED, e.kind());
    }

    @Test
    void codeExchangeAgainstAFailingEndpointIsUnavailable() {
        String code = newCode();
        GoogleTokenEndpoint.stubCodeExchangeStatus(code, 503);

        GmailTokenException e = assertThrows(GmailTokenException.class, () -> tokens.exchange(code, REDIRECT_URI));

        assertEquals(GmailTokenException.Kind.UNAVAILABLE, e.kind());
    }

    private static String newRefreshToken() {
        return "1//refresh-" + UUID.randomUUID();
    }

    private static String newCode() {
        return "4/0Ab-" + UUID.randomUUID();
    }
}
