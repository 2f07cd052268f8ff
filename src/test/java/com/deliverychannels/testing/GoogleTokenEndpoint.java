package com.deliverychannels.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * WireMock on a free loopback port standing in for Google's OAuth2 token endpoint (a third party we cannot
 * run), with {@code gmail.token-url}, {@code gmail.client-id} and {@code gmail.client-secret} pointing the
 * product's OIDC client at it. Declared here with {@code @QuarkusTestResource}, which Quarkus finds on any test
 * class, it serves every {@code @QuarkusTest} (it sets only {@code gmail.*} keys).
 *
 * <p>Stubs are keyed by the authorization code or the refresh token they answer, so tests that choose
 * their own values never see one another's answers and nothing needs resetting between them:
 *
 * <pre>{@code
 * GoogleTokenEndpoint.stubCodeExchange("4/code-1", "1//refresh-1", "alice@gmail.com");
 * GoogleTokenEndpoint.stubRefresh("1//refresh-1", "ya29.access-1", 3599);
 * List<Map<String, String>> calls = GoogleTokenEndpoint.requestsWith("refresh_token", "1//refresh-1");
 * }</pre>
 */
@QuarkusTestResource(GoogleTokenEndpoint.class)
public class GoogleTokenEndpoint implements QuarkusTestResourceLifecycleManager {
    public static final String CLIENT_ID = "test-client-id";
    public static final String CLIENT_SECRET = "test-client-secret";
    private static final String PATH = "/token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static WireMockServer server;

    @Override
    public synchronized Map<String, String> start() {
        if (server == null) {
            server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
            server.start();
        }
        return Map.of("gmail.token-url", "http://127.0.0.1:" + server.port() + PATH,
                "gmail.client-id", CLIENT_ID,
                "gmail.client-secret", CLIENT_SECRET);
    }

    @Override
    public void stop() {
        // Kept for the whole test JVM, like DynamoDB Local: every Quarkus restart (test profile) reuses it.
    }

    /**
     * A code exchange ({@code grant_type=authorization_code}) of {@code code} answering as Google does on a
     * first consent: an access token, a refresh token and an ID token naming {@code email}, for us.
     */
    public static void stubCodeExchange(String code, String refreshToken, String email) {
        stubCodeExchange(code, refreshToken, idTokenClaims(CLIENT_ID, email));
    }

    /**
     * A code exchange answering a refresh token (none when null) and an ID token with these claims, for the
     * answers Google gives less often: no refresh token after an earlier consent, another audience.
     */
    public static void stubCodeExchange(String code, String refreshToken, Map<String, Object> idTokenClaims) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", "ya29.exchange-" + code.hashCode());
        body.put("expires_in", 3599);
        body.put("scope", "https://mail.google.com/ openid https://www.googleapis.com/auth/userinfo.email");
        body.put("token_type", "Bearer");
        if (refreshToken != null) {
            body.put("refresh_token", refreshToken);
        }
        body.put("id_token", idToken(idTokenClaims));
        stub(codeExchange(code), json(200, body));
    }

    /** A refresh grant ({@code grant_type=refresh_token}) of {@code refreshToken} answering {@code accessToken}. */
    public static void stubRefresh(String refreshToken, String accessToken, int expiresInSeconds) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", accessToken);
        body.put("expires_in", expiresInSeconds);
        body.put("scope", "https://mail.google.com/");
        body.put("token_type", "Bearer");
        stub(refresh(refreshToken), json(200, body));
    }

    /** Google's answer to a used, expired or revoked code: 400 {@code invalid_grant}. */
    public static void stubCodeRefused(String code) {
        stub(codeExchange(code), error(400, "invalid_grant", "Bad Request"));
    }

    /** Google's answer to a revoked refresh token: 400 {@code invalid_grant}. */
    public static void stubRefreshRefused(String refreshToken) {
        stub(refresh(refreshToken), error(400, "invalid_grant", "Token has been expired or revoked."));
    }

    /** Google's answer to a wrong client id or secret: 401 {@code invalid_client}. */
    public static void stubRefreshInvalidClient(String refreshToken) {
        stub(refresh(refreshToken), error(401, "invalid_client", "Unauthorized"));
    }

    /** A code exchange answered with this server error status (500, 503, ...). */
    public static void stubCodeExchangeStatus(String code, int status) {
        stub(codeExchange(code), error(status, "server_error", "try again later"));
    }

    /** A refresh answered with this server error status (500, 503, ...). */
    public static void stubRefreshStatus(String refreshToken, int status) {
        stub(refresh(refreshToken), error(status, "server_error", "try again later"));
    }

    /** A code exchange whose connection is reset before any answer: Google unreachable. */
    public static void stubCodeExchangeReset(String code) {
        stub(codeExchange(code), aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
    }

    /** A refresh whose connection is reset before any answer: Google unreachable. */
    public static void stubRefreshReset(String refreshToken) {
        stub(refresh(refreshToken), aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
    }

    /**
     * The form bodies of every request the endpoint received whose parameter {@code name} was {@code value},
     * oldest first, each decoded into a map of parameter to value.
     */
    public static List<Map<String, String>> requestsWith(String name, String value) {
        return server.findAll(postRequestedFor(urlEqualTo(PATH))).stream()
                .map(request -> form(request.getBodyAsString()))
                .filter(form -> value.equals(form.get(name)))
                .toList();
    }

    /**
     * Asserts that {@code code} was exchanged once, as Google expects: the authorization-code grant with the
     * redirect URI the user consented through and our client's id and secret in the form.
     */
    public static void assertCodeExchangedOnce(String code, String redirectUri) {
        List<Map<String, String>> calls = requestsWith("code", code);
        assertEquals(1, calls.size(), calls::toString);
        Map<String, String> form = calls.get(0);
        assertEquals("authorization_code", form.get("grant_type"));
        assertEquals(redirectUri, form.get("redirect_uri"));
        assertEquals(CLIENT_ID, form.get("client_id"));
        assertEquals(CLIENT_SECRET, form.get("client_secret"));
    }

    /** The ID token claims Google sends for {@code email}, addressed to {@code audience}. */
    public static Map<String, Object> idTokenClaims(String audience, String email) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", "https://accounts.google.com");
        claims.put("azp", audience);
        claims.put("aud", audience);
        claims.put("sub", "1" + Math.abs((long) email.hashCode()));
        claims.put("email", email);
        claims.put("email_verified", true);
        claims.put("iat", now);
        claims.put("exp", now + 3600);
        return claims;
    }

    /**
     * A well-formed JWT ({@code header.payload.signature}, base64url without padding) with these claims. The
     * signature is not a real one: the product reads the ID token as it comes from the token endpoint over
     * TLS, where OpenID Connect Core §3.1.3.7 lets a client skip the signature check.
     */
    public static String idToken(Map<String, Object> claims) {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String header = base64.encodeToString(bytes(Map.of("alg", "RS256", "kid", "test-key", "typ", "JWT")));
        String payload = base64.encodeToString(bytes(claims));
        String signature = base64.encodeToString("not-a-real-signature".getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + "." + signature;
    }

    private static MappingBuilder codeExchange(String code) {
        return post(urlEqualTo(PATH)).withFormParam("grant_type", equalTo("authorization_code"))
                .withFormParam("code", equalTo(code));
    }

    private static MappingBuilder refresh(String refreshToken) {
        return post(urlEqualTo(PATH)).withFormParam("grant_type", equalTo("refresh_token"))
                .withFormParam("refresh_token", equalTo(refreshToken));
    }

    private static void stub(MappingBuilder request, ResponseDefinitionBuilder response) {
        server.stubFor(request.willReturn(response));
    }

    private static ResponseDefinitionBuilder error(int status, String error, String description) {
        return json(status, Map.of("error", error, "error_description", description));
    }

    private static ResponseDefinitionBuilder json(int status, Map<String, Object> body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json; charset=utf-8")
                .withBody(new String(bytes(body), StandardCharsets.UTF_8));
    }

    private static byte[] bytes(Map<String, ?> value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        if (body == null || body.isEmpty()) {
            return form;
        }
        for (String pair : body.split("&")) {
            String[] kv = pair.split("=", 2);
            form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return form;
    }
}
