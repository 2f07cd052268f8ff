package com.deliverychannels.function;

import static com.deliverychannels.function.ChannelSettingsTest.fields;
import static com.deliverychannels.function.ChannelSettingsTest.notes;
import static com.deliverychannels.function.ChannelsRoutingTest.assertNoInternals;
import static com.deliverychannels.function.ChannelsRoutingTest.assertProblem;
import static com.deliverychannels.function.StoredItems.item;
import static com.deliverychannels.function.StoredItems.itemsOf;
import static com.deliverychannels.function.StoredItems.json;
import static com.deliverychannels.function.StoredItems.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.deliverychannels.testing.GoogleTokenEndpoint;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Connecting a Gmail account through the {@code channels} function: the authorization code exchanged at
 * Google's token endpoint (WireMock), the refresh token sealed in the table, the account's address from
 * the ID token, and each way the exchange can go wrong.
 */
@QuarkusTest
class GmailConnectionTest {
    private static final String REDIRECT_URI = "https://app.example.com/oauth/google/callback";
    private static final String GMAIL_ADDRESS = "alice.martin@gmail.com";

    @Test
    void connectingShowsTheAccountWithoutChangingTheActiveChannel() {
        String user = newUser();
        String code = newCode();
        GoogleTokenEndpoint.stubCodeExchange(code, newRefreshToken(), GMAIL_ADDRESS);
        Instant before = Instant.now();

        ApiAnswer answer = connect(user, code);

        assertEquals(200, answer.status(), answer.rawBody());
        JsonNode gmail = answer.body().get("gmail");
        assertEquals(GMAIL_ADDRESS, gmail.get("address").asText());
        assertEquals("CONNECTED", gmail.get("status").asText());
        Instant connectedAt = Instant.parse(gmail.get("connectedAt").asText());
        assertFalse(connectedAt.isBefore(before.minusSeconds(1)), connectedAt.toString());
        assertFalse(connectedAt.isAfter(Instant.now().plusSeconds(1)), connectedAt.toString());
        assertEquals("MSC", answer.body().get("active").asText(), "connecting is not choosing");

        ApiAnswer read = ApiEvents.get("/v1/channel").as(user).send();
        assertEquals(GMAIL_ADDRESS, read.body().get("gmail").get("address").asText());
    }

    @Test
    void refreshTokenIsStoredSealedAndNeverShown() {
        String user = newUser();
        String code = newCode();
        String refreshToken = newRefreshToken();
        GoogleTokenEndpoint.stubCodeExchange(code, refreshToken, GMAIL_ADDRESS);

        ApiAnswer answer = connect(user, code);

        assertEquals(200, answer.status(), answer.rawBody());
        String stored = storedRefreshToken(user);
        assertNotNull(stored);
        assertTrue(stored.startsWith("v1."), stored);
        assertFalse(stored.contains(refreshToken), stored);
        assertFalse(stored.contains(refreshToken.substring(3)), stored);
        for (ApiAnswer shown : List.of(answer, ApiEvents.get("/v1/channel").as(user).send())) {
            assertFalse(shown.rawBody().contains(refreshToken), shown.rawBody());
            assertFalse(shown.rawBody().contains(code), shown.rawBody());
            assertFalse(shown.rawBody().contains("ya29."), shown.rawBody());
            assertFalse(shown.rawBody().contains(stored), shown.rawBody());
            assertFalse(shown.rawBody().toLowerCase().contains("token"), shown.rawBody());
        }
    }

    @Test
    void codeIsExchangedWithTheRedirectUriAndOurClientCredentials() {
        String code = newCode();
        GoogleTokenEndpoint.stubCodeExchange(code, newRefreshToken(), GMAIL_ADDRESS);

        connect(newUser(), code);

        GoogleTokenEndpoint.assertCodeExchangedOnce(code, REDIRECT_URI);
    }

    @Test
    void choosingGmailOnceConnectedSendsFromTheAccountWhateverTheIdentity() {
        String user = newUser();
        assertEquals(201, ApiEvents.post("/v1/identities", json("name", "Alice", "address", "alice@example.com"))
                .as(user).send().status());
        String code = newCode();
        GoogleTokenEndpoint.stubCodeExchange(code, newRefreshToken(), GMAIL_ADDRESS);
        assertEquals(200, connect(user, code).status());

        ApiAnswer answer = ApiEvents.put("/v1/channel", json("active", "GMAIL")).as(user).send();

        assertEquals(200, answer.status(), answer.rawBody());
        assertEquals("GMAIL", answer.body().get("active").asText());
        JsonNode preview = answer.body().get("preview");
        assertEquals(GMAIL_ADDRESS, preview.get("from").asText());
        assertEquals("alice@example.com", preview.get("identityAddress").asText());
        assertFalse(preview.get("viaTag").asBoolean());
        assertTrue(preview.get("sentFolderCopy").asBoolean());
        assertTrue(notes(answer.body()).contains(
                "Recipients see " + GMAIL_ADDRESS + ", your Gmail address, not alice@example.com."), answer.rawBody());
    }

    @Test
    void refusedCodeNamesTheCodeAndWritesNothing() {
        String user = newUser();
        String code = newCode();
        GoogleTokenEndpoint.stubCodeRefused(code);

        ApiAnswer answer = connect(user, code);

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("code"), fields(answer));
        assertTrue(answer.body().get("errors").get(0).get("message").asText().contains("Google refused"),
                answer.rawBody());
        assertTrue(itemsOf(user).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(ints = { 500, 503 })
    void failingTokenEndpointIsUnavailableAndWritesNothing(int status) {
        String user = newUser();
        String code = newCode();
        GoogleTokenEndpoint.stubCodeExchangeStatus(code, status);

        ApiAnswer answer = connect(user, code);

        assertProblem(answer, 503, "unavailable");
        assertNotNull(answer.header("retry-after"), answer.headers().toString());
        assertNoInternals(answer);
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void unreachableTokenEndpointIsUnavailableAndWritesNothing() {
        String user = newUser();
        String code = newCode();
        GoogleTokenEndpoint.stubCodeExchangeReset(code);

        ApiAnswer answer = connect(user, code);

        assertProblem(answer, 503, "unavailable");
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void grantWithoutRefreshTokenIsRefusedOnTheCode() {
        String user = newUser();
        String code = newCode();
        GoogleTokenEndpoint.stubCodeExchange(code, null,
                GoogleTokenEndpoint.idTokenClaims(GoogleTokenEndpoint.CLIENT_ID, GMAIL_ADDRESS));

        ApiAnswer answer = connect(user, code);

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("code"), fields(answer));
        assertTrue(answer.body().get("errors").get(0).get("message").asText().contains("offline access"),
                answer.rawBody());
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void idTokenForAnotherClientIsRefusedAndWritesNothing() {
        String user = newUser();
        String code = newCode();
        GoogleTokenEndpoint.stubCodeExchange(code, newRefreshToken(),
                GoogleTokenEndpoint.idTokenClaims("another-apps-client-id", GMAIL_ADDRESS));

        ApiAnswer answer = connect(user, code);

        assertProblem(answer, 503, "unavailable");
        assertFalse(answer.rawBody().contains(GMAIL_ADDRESS), answer.rawBody());
        assertTrue(itemsOf(user).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = { "ftp://x", "http://evil.example/cb", "http://localhost.evil.example/cb",
            "http://localhost@evil.example/cb", "app.example.com/cb", "/oauth/callback", "https://",
            "https://app.example.com/cb#fragment", "javascript:alert(1)", "https://app example.com/cb" })
    void redirectUriThatIsNoHttpsOrLoopbackUrlIsRefusedBeforeAskingGoogle(String redirectUri) {
        String user = newUser();
        String code = newCode();
        GoogleTokenEndpoint.stubCodeExchange(code, newRefreshToken(), GMAIL_ADDRESS);

        ApiAnswer answer = ApiEvents.post("/v1/channel/gmail", json("code", code, "redirectUri", redirectUri))
                .as(user).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("redirectUri"), fields(answer));
        assertTrue(GoogleTokenEndpoint.requestsWith("code", code).isEmpty());
        assertTrue(itemsOf(user).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://localhost:8080/oauth/callback", "http://127.0.0.1:53682/", "http://localhost/cb",
            "https://app.example.com:8443/cb?state=1" })
    void loopbackAndHttpsRedirectUrisAreAccepted(String redirectUri) {
        String code = newCode();
        GoogleTokenEndpoint.stubCodeExchange(code, newRefreshToken(), GMAIL_ADDRESS);

        ApiAnswer answer = ApiEvents.post("/v1/channel/gmail", json("code", code, "redirectUri", redirectUri))
                .as(newUser()).send();

        assertEquals(200, answer.status(), answer.rawBody());
        assertEquals(redirectUri, GoogleTokenEndpoint.requestsWith("code", code).get(0).get("redirect_uri"));
    }

    @Test
    void missingCodeIsRefusedNamingIt() {
        String user = newUser();

        ApiAnswer answer = ApiEvents.post("/v1/channel/gmail", json("redirectUri", REDIRECT_URI)).as(user).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("code"), fields(answer));
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void everyMissingFieldIsNamedAtOnce() {
        ApiAnswer answer = ApiEvents.post("/v1/channel/gmail", "{}").as(newUser()).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("code", "redirectUri"), fields(answer));
    }

    @Test
    void codeWithALineBreakIsRefused() {
        String code = newCode();

        ApiAnswer answer = ApiEvents.post("/v1/channel/gmail", json("code", code + "\r\nx", "redirectUri", REDIRECT_URI))
                .as(newUser()).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("code"), fields(answer));
        assertTrue(GoogleTokenEndpoint.requestsWith("code", code + "\r\nx").isEmpty());
    }

    @Test
    void overlongCodeAndRedirectUriAreRefused() {
        ApiAnswer answer = ApiEvents.post("/v1/channel/gmail", json("code", "4/" + "a".repeat(2047),
                "redirectUri", "https://app.example.com/" + "b".repeat(2048))).as(newUser()).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("code", "redirectUri"), fields(answer));
    }

    @Test
    void unknownFieldIsABadRequest() {
        String user = newUser();

        ApiAnswer answer = ApiEvents.post("/v1/channel/gmail",
                json("code", newCode(), "redirectUri", REDIRECT_URI, "refreshToken", "1//mine")).as(user).send();

        assertProblem(answer, 400, "bad-request");
        assertEquals(Set.of("refreshToken"), fields(answer));
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void callerWithoutSubClaimIsUnauthenticated() {
        String code = newCode();
        GoogleTokenEndpoint.stubCodeExchange(code, newRefreshToken(), GMAIL_ADDRESS);

        ApiAnswer answer = ApiEvents.post("/v1/channel/gmail", json("code", code, "redirectUri", REDIRECT_URI))
                .anonymous().send();

        assertProblem(answer, 401, "unauthenticated");
        assertTrue(GoogleTokenEndpoint.requestsWith("code", code).isEmpty(), "no code is spent for nobody");
    }

    @Test
    void disconnectingGmailWhileActiveFallsBackToOurServers() {
        String user = newUser();
        String code = newCode();
        GoogleTokenEndpoint.stubCodeExchange(code, newRefreshToken(), GMAIL_ADDRESS);
        assertEquals(200, connect(user, code).status());
        assertEquals(200, ApiEvents.put("/v1/channel", json("active", "GMAIL")).as(user).send().status());

        ApiAnswer deleted = ApiEvents.delete("/v1/channel/gmail").as(user).send();

        assertEquals(204, deleted.status(), deleted.rawBody());
        JsonNode view = ApiEvents.get("/v1/channel").as(user).send().body();
        assertEquals("MSC", view.get("active").asText());
        assertTrue(view.path("gmail").isNull(), view.toString());
        assertEquals(null, storedRefreshToken(user));
    }

    @Test
    void reconnectingReplacesTheAccountAndItsToken() {
        String user = newUser();
        String firstCode = newCode();
        GoogleTokenEndpoint.stubCodeExchange(firstCode, newRefreshToken(), GMAIL_ADDRESS);
        assertEquals(200, connect(user, firstCode).status());
        String firstSealed = storedRefreshToken(user);
        Instant firstConnectedAt = Instant.parse(ApiEvents.get("/v1/channel").as(user).send().body()
                .get("gmail").get("connectedAt").asText());
        String secondCode = newCode();
        GoogleTokenEndpoint.stubCodeExchange(secondCode, newRefreshToken(), "alice.sales@gmail.com");
        sleep(Duration.ofMillis(5));

        ApiAnswer answer = connect(user, secondCode);

        assertEquals(200, answer.status(), answer.rawBody());
        assertEquals("alice.sales@gmail.com", answer.body().get("gmail").get("address").asText());
        assertTrue(Instant.parse(answer.body().get("gmail").get("connectedAt").asText()).isAfter(firstConnectedAt));
        assertNotEquals(firstSealed, storedRefreshToken(user));
        assertEquals(1, itemsOf(user).size(), "one settings item, the connection replaced in it");
    }

    private static ApiAnswer connect(String user, String code) {
        return ApiEvents.post("/v1/channel/gmail", json("code", code, "redirectUri", REDIRECT_URI)).as(user).send();
    }

    /** The sealed refresh token in the user's settings item, or null. */
    private static String storedRefreshToken(String user) {
        Map<String, AttributeValue> settings = item(user, "SETTINGS");
        if (settings == null || settings.get("gmail") == null || !settings.get("gmail").hasM()) {
            return null;
        }
        AttributeValue token = settings.get("gmail").m().get("refreshToken");
        return token == null ? null : token.s();
    }

    private static String newCode() {
        return "4/0Ab-" + UUID.randomUUID();
    }

    private static String newRefreshToken() {
        return "1//0g-" + UUID.randomUUID();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
