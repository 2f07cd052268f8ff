package com.deliverychannels.function;

import static com.deliverychannels.function.ChannelsRoutingTest.assertProblem;
import static com.deliverychannels.function.StoredItems.json;
import static com.deliverychannels.function.StoredItems.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.deliverychannels.testing.ScriptedSmtpServer;
import com.deliverychannels.testing.TestSmtpServer;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;

/** {@code POST /v1/channel/smtp/verify} against a real SMTP server in this JVM: connect, TLS, AUTH, QUIT. */
@QuarkusTest
class SmtpVerifyTest {
    private static final String USERNAME = "bob@example.com";
    private static final String PASSWORD = "c0rrect-Horse-battery";
    private static final String WRONG_PASSWORD = "wr0ng-Horse-battery";

    @Test
    void rightCredentialsOverStartTlsVerifyAndSendNothing() {
        String user = newUser();
        try (TestSmtpServer smtp = TestSmtpServer.startTls(USERNAME, PASSWORD)) {
            save(user, smtp, "STARTTLS", "PLAIN", PASSWORD);

            ApiAnswer answer = verify(user);

            assertEquals(200, answer.status(), answer.rawBody());
            assertTrue(answer.body().get("ok").asBoolean(), answer.rawBody());
            assertEquals("DONE", answer.body().get("stage").asText());
            assertFalse(answer.body().get("detail").asText().isBlank());
            assertFalse(answer.rawBody().contains(PASSWORD), answer.rawBody());
            assertEquals(List.of(new TestSmtpServer.AuthAttempt("PLAIN", USERNAME, true)), smtp.authAttempts());
            assertTrue(smtp.messages().isEmpty(), "verification must not send a message");
        }
        JsonNode view = view(user);
        assertEquals("OK", view.get("smtp").get("status").asText());
    }

    @Test
    void loginMechanismVerifies() {
        String user = newUser();
        try (TestSmtpServer smtp = TestSmtpServer.startTls(USERNAME, PASSWORD)) {
            save(user, smtp, "STARTTLS", "LOGIN", PASSWORD);

            ApiAnswer answer = verify(user);

            assertTrue(answer.body().get("ok").asBoolean(), answer.rawBody());
            assertEquals(List.of(new TestSmtpServer.AuthAttempt("LOGIN", USERNAME, true)), smtp.authAttempts());
            assertTrue(smtp.messages().isEmpty());
        }
    }

    @Test
    void wrongPasswordFailsAtAuthAndIsShownInThePreview() {
        String user = newUser();
        try (TestSmtpServer smtp = TestSmtpServer.startTls(USERNAME, PASSWORD)) {
            save(user, smtp, "STARTTLS", "PLAIN", WRONG_PASSWORD);
            assertEquals(200, ApiEvents.put("/v1/channel", json("active", "SMTP")).as(user).send().status());

            ApiAnswer answer = verify(user);

            assertEquals(200, answer.status(), answer.rawBody());
            assertFalse(answer.body().get("ok").asBoolean(), answer.rawBody());
            assertEquals("AUTH", answer.body().get("stage").asText());
            assertFalse(answer.rawBody().contains(WRONG_PASSWORD), answer.rawBody());
            assertFalse(answer.rawBody().contains(PASSWORD), answer.rawBody());
            assertEquals(List.of(new TestSmtpServer.AuthAttempt("PLAIN", USERNAME, false)), smtp.authAttempts());
            assertTrue(smtp.messages().isEmpty());
        }
        JsonNode view = view(user);
        assertEquals("AUTH_FAILED", view.get("smtp").get("status").asText());
        String notes = ChannelSettingsTest.notes(view);
        assertTrue(notes.contains("refused your username or password"), notes);
        assertTrue(notes.contains("127.0.0.1"), notes);
    }

    @Test
    void savingNewSettingsAfterAFailureStartsUnverifiedAgain() {
        String user = newUser();
        try (TestSmtpServer smtp = TestSmtpServer.startTls(USERNAME, PASSWORD)) {
            save(user, smtp, "STARTTLS", "PLAIN", WRONG_PASSWORD);
            verify(user);
            assertEquals("AUTH_FAILED", view(user).get("smtp").get("status").asText());

            save(user, smtp, "STARTTLS", "PLAIN", PASSWORD);
            assertEquals("UNVERIFIED", view(user).get("smtp").get("status").asText());

            assertTrue(verify(user).body().get("ok").asBoolean());
        }
        assertEquals("OK", view(user).get("smtp").get("status").asText());
    }

    @Test
    void implicitTlsOnItsPortVerifies() {
        String user = newUser();
        try (TestSmtpServer smtp = TestSmtpServer.implicitTls(USERNAME, PASSWORD)) {
            save(user, smtp, "TLS", "PLAIN", PASSWORD);

            ApiAnswer answer = verify(user);

            assertTrue(answer.body().get("ok").asBoolean(), answer.rawBody());
            assertEquals("DONE", answer.body().get("stage").asText());
            assertEquals(1, smtp.authAttempts().size());
            assertTrue(smtp.messages().isEmpty());
        }
        assertEquals("OK", view(user).get("smtp").get("status").asText());
    }

    @Test
    void startTlsServerThatDoesNotOfferItFailsAtTls() {
        String user = newUser();
        try (TestSmtpServer smtp = TestSmtpServer.builder().credentials(USERNAME, PASSWORD).start()) {
            save(user, smtp, "STARTTLS", "PLAIN", PASSWORD);

            ApiAnswer answer = verify(user);

            assertFalse(answer.body().get("ok").asBoolean(), answer.rawBody());
            assertEquals("TLS", answer.body().get("stage").asText());
            assertTrue(smtp.authAttempts().isEmpty(), "credentials must not cross a plain-text connection");
        }
        assertEquals("UNVERIFIED", view(user).get("smtp").get("status").asText());
    }

    @Test
    void nothingListeningFailsAtConnectAndKeepsTheStatus() {
        String user = newUser();
        int port = ScriptedSmtpServer.closedPort();
        ApiEvents.put("/v1/channel/smtp", json("host", "127.0.0.1", "port", port, "security", "STARTTLS", "username",
                USERNAME, "password", PASSWORD, "authMethod", "PLAIN")).as(user).send();

        ApiAnswer answer = verify(user);

        assertEquals(200, answer.status(), answer.rawBody());
        assertFalse(answer.body().get("ok").asBoolean(), answer.rawBody());
        assertEquals("CONNECT", answer.body().get("stage").asText());
        assertFalse(answer.body().get("detail").asText().isBlank());
        assertFalse(answer.rawBody().contains(PASSWORD));
        assertEquals("UNVERIFIED", view(user).get("smtp").get("status").asText());
    }

    @Test
    void verifyingWithoutSettingsIsAConflict() {
        ApiAnswer answer = verify(newUser());

        assertProblem(answer, 409, "conflict");
        assertTrue(answer.body().get("detail").asText().contains("SMTP"), answer.rawBody());
    }

    @Test
    void verifyingAfterDeletingSettingsIsAConflict() {
        String user = newUser();
        try (TestSmtpServer smtp = TestSmtpServer.startTls(USERNAME, PASSWORD)) {
            save(user, smtp, "STARTTLS", "PLAIN", PASSWORD);
            assertEquals(204, ApiEvents.delete("/v1/channel/smtp").as(user).send().status());

            assertProblem(verify(user), 409, "conflict");
            assertTrue(smtp.authAttempts().isEmpty());
        }
    }

    @Test
    void verifyDetailFollowsTheLanguage() {
        String user = newUser();
        try (TestSmtpServer smtp = TestSmtpServer.startTls(USERNAME, PASSWORD)) {
            save(user, smtp, "STARTTLS", "PLAIN", PASSWORD);

            String english = verify(user).body().get("detail").asText();
            String italian = ApiEvents.request("POST", "/v1/channel/smtp/verify").as(user)
                    .header("accept-language", "it").send().body().get("detail").asText();

            assertFalse(italian.isBlank());
            assertFalse(english.equals(italian), italian);
        }
    }

    private static void save(String user, TestSmtpServer smtp, String security, String authMethod, String password) {
        ApiAnswer saved = ApiEvents.put("/v1/channel/smtp", json("host", smtp.host(), "port", smtp.port(), "security",
                security, "username", USERNAME, "password", password, "authMethod", authMethod)).as(user).send();
        assertEquals(200, saved.status(), saved.rawBody());
        assertEquals("UNVERIFIED", saved.body().get("smtp").get("status").asText());
    }

    private static ApiAnswer verify(String user) {
        return ApiEvents.request("POST", "/v1/channel/smtp/verify").as(user).send();
    }

    private static JsonNode view(String user) {
        ApiAnswer answer = ApiEvents.get("/v1/channel").as(user).send();
        assertEquals(200, answer.status(), answer.rawBody());
        return answer.body();
    }
}
