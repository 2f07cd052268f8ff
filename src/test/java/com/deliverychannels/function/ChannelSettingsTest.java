package com.deliverychannels.function;

import static com.deliverychannels.function.ChannelsRoutingTest.assertProblem;
import static com.deliverychannels.function.StoredItems.itemsOf;
import static com.deliverychannels.function.StoredItems.json;
import static com.deliverychannels.function.StoredItems.newUser;
import static com.deliverychannels.function.StoredItems.storedSmtpPassword;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;

/** The active channel and the user's own SMTP server: choosing, saving, validating, forgetting. */
@QuarkusTest
class ChannelSettingsTest {
    static final String PASSWORD = "Tr0ub4dor&3-horse";

    static String smtp(String host, String username, String password) {
        return json("host", host, "port", 587, "security", "STARTTLS", "username", username, "password", password,
                "authMethod", "PLAIN");
    }

    @Test
    void newUserSeesOurServersWithNothingConnected() {
        ApiAnswer answer = ApiEvents.get("/v1/channel").as(newUser()).send();

        assertEquals(200, answer.status(), answer.rawBody());
        JsonNode view = answer.body();
        assertEquals("MSC", view.get("active").asText());
        assertTrue(view.path("gmail").isNull(), answer.rawBody());
        assertTrue(view.path("smtp").isNull(), answer.rawBody());
        JsonNode preview = view.get("preview");
        assertTrue(preview.path("identityAddress").isNull(), answer.rawBody());
        assertTrue(preview.get("viaTag").asBoolean());
        assertTrue(preview.get("bounceTracking").asBoolean());
        assertFalse(preview.get("sentFolderCopy").asBoolean());
        assertTrue(preview.get("notes").isArray());
        assertFalse(preview.get("notes").isEmpty());
        assertTrue(notes(view).contains("Add an identity"), answer.rawBody());
    }

    @Test
    void readingSettingsWritesNothing() {
        String user = newUser();

        ApiEvents.get("/v1/channel").as(user).send();

        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void choosingGmailBeforeConnectingItIsAConflict() {
        String user = newUser();

        ApiAnswer answer = ApiEvents.put("/v1/channel", json("active", "GMAIL")).as(user).send();

        assertProblem(answer, 409, "conflict");
        assertTrue(answer.body().get("detail").asText().contains("Gmail"), answer.rawBody());
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void choosingSmtpWithoutSettingsIsAConflict() {
        String user = newUser();

        ApiAnswer answer = ApiEvents.put("/v1/channel", json("active", "SMTP")).as(user).send();

        assertProblem(answer, 409, "conflict");
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void unknownChannelIsRefusedNamingActive() {
        String user = newUser();

        ApiAnswer answer = ApiEvents.put("/v1/channel", json("active", "FOO")).as(user).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals("active", answer.body().get("errors").get(0).get("field").asText());
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void channelNamesAreCaseSensitive() {
        ApiAnswer answer = ApiEvents.put("/v1/channel", json("active", "msc")).as(newUser()).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals("active", answer.body().get("errors").get(0).get("field").asText());
    }

    @Test
    void missingActiveIsRefusedNamingIt() {
        String user = newUser();

        ApiAnswer answer = ApiEvents.put("/v1/channel", "{}").as(user).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals("active", answer.body().get("errors").get(0).get("field").asText());
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void choosingOurServersAgainIsFine() {
        ApiAnswer answer = ApiEvents.put("/v1/channel", json("active", "MSC")).as(newUser()).send();

        assertEquals(200, answer.status(), answer.rawBody());
        assertEquals("MSC", answer.body().get("active").asText());
    }

    @Test
    void savedSmtpSettingsAreShownWithoutThePasswordAndStoredSealed() {
        String user = newUser();

        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", smtp("smtp.example.com", "bob@example.com", PASSWORD))
                .as(user).send();

        assertEquals(200, answer.status(), answer.rawBody());
        JsonNode smtp = answer.body().get("smtp");
        assertEquals("smtp.example.com", smtp.get("host").asText());
        assertEquals(587, smtp.get("port").asInt());
        assertEquals("STARTTLS", smtp.get("security").asText());
        assertEquals("bob@example.com", smtp.get("username").asText());
        assertEquals("PLAIN", smtp.get("authMethod").asText());
        assertEquals("UNVERIFIED", smtp.get("status").asText());
        assertNotNull(java.time.Instant.parse(smtp.get("updatedAt").asText()));
        assertEquals("MSC", answer.body().get("active").asText(), "saving settings does not switch channel");
        assertFalse(answer.rawBody().contains(PASSWORD), answer.rawBody());
        assertFalse(answer.rawBody().toLowerCase().contains("password"), answer.rawBody());

        String stored = storedSmtpPassword(user);
        assertNotNull(stored);
        assertTrue(stored.startsWith("v1."), stored);
        assertFalse(stored.contains(PASSWORD), stored);

        ApiAnswer read = ApiEvents.get("/v1/channel").as(user).send();
        assertEquals("smtp.example.com", read.body().get("smtp").get("host").asText());
        assertFalse(read.rawBody().contains(PASSWORD), read.rawBody());
        assertFalse(read.rawBody().contains(stored), read.rawBody());
    }

    @Test
    void hostIsKeptNormalized() {
        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", smtp(" SMTP.Example.COM. ", "bob", PASSWORD))
                .as(newUser()).send();

        assertEquals(200, answer.status(), answer.rawBody());
        assertEquals("smtp.example.com", answer.body().get("smtp").get("host").asText());
    }

    @Test
    void choosingSmtpOnceSavedDropsTheViaTag() {
        String user = newUser();
        assertEquals(200, ApiEvents.put("/v1/channel/smtp", smtp("smtp.example.com", "bob", PASSWORD)).as(user).send()
                .status());

        ApiAnswer answer = ApiEvents.put("/v1/channel", json("active", "SMTP")).as(user).send();

        assertEquals(200, answer.status(), answer.rawBody());
        assertEquals("SMTP", answer.body().get("active").asText());
        JsonNode preview = answer.body().get("preview");
        assertFalse(preview.get("viaTag").asBoolean());
        assertFalse(preview.get("bounceTracking").asBoolean());
        assertTrue(notes(answer.body()).contains("not verified yet"), answer.rawBody());
        assertEquals("SMTP", ApiEvents.get("/v1/channel").as(user).send().body().get("active").asText());
    }

    @Test
    void deletingSmtpSettingsFallsBackToOurServers() {
        String user = newUser();
        ApiEvents.put("/v1/channel/smtp", smtp("smtp.example.com", "bob", PASSWORD)).as(user).send();
        assertEquals(200, ApiEvents.put("/v1/channel", json("active", "SMTP")).as(user).send().status());

        ApiAnswer deleted = ApiEvents.delete("/v1/channel/smtp").as(user).send();

        assertEquals(204, deleted.status(), deleted.rawBody());
        assertEquals(null, deleted.rawBody());
        JsonNode view = ApiEvents.get("/v1/channel").as(user).send().body();
        assertEquals("MSC", view.get("active").asText());
        assertTrue(view.path("smtp").isNull());
        assertTrue(view.get("preview").get("viaTag").asBoolean());
        assertEquals(null, storedSmtpPassword(user), "the sealed password is gone from the table");
    }

    @Test
    void deletingSmtpSettingsAgainIsFine() {
        String user = newUser();

        assertEquals(204, ApiEvents.delete("/v1/channel/smtp").as(user).send().status());
        assertEquals(204, ApiEvents.delete("/v1/channel/smtp").as(user).send().status());
        assertEquals("MSC", ApiEvents.get("/v1/channel").as(user).send().body().get("active").asText());
    }

    @Test
    void everyInvalidSmtpFieldIsNamedAtOnce() {
        String user = newUser();
        String body = json("host", "smtp.example.com\r\nMAIL FROM:<x@evil.example>", "port", 0, "security", "SSL",
                "username", "", "password", PASSWORD, "authMethod", "CRAM-MD5");

        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", body).as(user).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("host", "port", "security", "username", "authMethod"), fields(answer));
        assertFalse(answer.rawBody().contains(PASSWORD));
        assertTrue(itemsOf(user).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65536, 70000})
    void portOutsideTcpRangeIsRefused(int port) {
        String user = newUser();
        String body = json("host", "smtp.example.com", "port", port, "security", "TLS", "username", "bob",
                "password", PASSWORD, "authMethod", "LOGIN");

        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", body).as(user).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("port"), fields(answer));
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void everyMissingSmtpFieldIsNamed() {
        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", "{}").as(newUser()).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("host", "port", "security", "username", "authMethod", "password"), fields(answer),
                answer.rawBody());
    }

    /** "Every invalid field at once": a missing password is named with the other faults, not after them. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("oneOtherFault")
    void missingPasswordIsNamedWithAnyOtherInvalidField(String field, Object value) {
        String user = newUser();
        Map<String, Object> body = new LinkedHashMap<>(Map.of("host", "smtp.example.com", "port", 587,
                "security", "STARTTLS", "username", "bob", "authMethod", "PLAIN"));
        body.put(field, value);
        Object[] pairs = body.entrySet().stream().flatMap(e -> Stream.of(e.getKey(), e.getValue()))
                .toArray();

        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", json(pairs)).as(user).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of(field, "password"), fields(answer), answer.rawBody());
        assertTrue(itemsOf(user).isEmpty());
    }

    static Stream<Arguments> oneOtherFault() {
        return Stream.of(
                Arguments.of("host", "-bad.example.com"),
                Arguments.of("host", "smtp.example.com/path"),
                Arguments.of("port", 0),
                Arguments.of("security", "SSL"),
                Arguments.of("username", ""),
                Arguments.of("authMethod", "CRAM-MD5"));
    }

    @Test
    void omittedPasswordWithStoredSettingsIsNamedWithAnInvalidHost() {
        String user = newUser();
        ApiEvents.put("/v1/channel/smtp", smtp("smtp.example.com", "bob", PASSWORD)).as(user).send();
        String update = json("host", "smtp example.com", "port", 70000, "security", "STARTTLS", "username", "bob",
                "authMethod", "PLAIN");

        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", update).as(user).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("host", "port", "password"), fields(answer), answer.rawBody());
    }

    @Test
    void omittedPasswordThatMayBeKeptIsNotNamedWithOtherFaults() {
        String user = newUser();
        ApiEvents.put("/v1/channel/smtp", smtp("smtp.example.com", "bob", PASSWORD)).as(user).send();
        String update = json("host", "smtp.example.com", "port", 0, "security", "STARTTLS", "username", "bob",
                "authMethod", "PLAIN");

        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", update).as(user).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("port"), fields(answer), answer.rawBody());
    }

    /** 012.0.0.1 is 10.0.0.1 to some resolvers and 12.0.0.1 to others: a host is never such a number. */
    @ParameterizedTest
    @ValueSource(strings = {"012.0.0.1", "0177.0.0.1", "8.8.8.08", "0x7f.1", "127.0x1", "2130706433", "127.1",
            "::ffff:012.0.0.1"})
    void ambiguousNumericHostIsRefused(String host) {
        String user = newUser();

        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", smtp(host, "bob", PASSWORD)).as(user).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("host"), fields(answer), answer.rawBody());
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void passwordIsRequiredOnFirstSave() {
        String user = newUser();
        String body = json("host", "smtp.example.com", "port", 587, "security", "STARTTLS", "username", "bob",
                "authMethod", "PLAIN");

        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", body).as(user).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("password"), fields(answer));
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void emptyPasswordIsRefused() {
        String user = newUser();

        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", smtp("smtp.example.com", "bob", "")).as(user).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("password"), fields(answer));
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void omittedPasswordKeepsTheStoredOneForTheSameHostAndUsername() {
        String user = newUser();
        ApiEvents.put("/v1/channel/smtp", smtp("smtp.example.com", "bob", PASSWORD)).as(user).send();
        String sealed = storedSmtpPassword(user);
        String update = json("host", "smtp.example.com", "port", 465, "security", "TLS", "username", "bob",
                "authMethod", "LOGIN");

        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", update).as(user).send();

        assertEquals(200, answer.status(), answer.rawBody());
        assertEquals(465, answer.body().get("smtp").get("port").asInt());
        assertEquals("TLS", answer.body().get("smtp").get("security").asText());
        assertEquals("LOGIN", answer.body().get("smtp").get("authMethod").asText());
        assertEquals("UNVERIFIED", answer.body().get("smtp").get("status").asText());
        assertEquals(sealed, storedSmtpPassword(user));
    }

    @Test
    void newPasswordReplacesTheStoredOne() {
        String user = newUser();
        ApiEvents.put("/v1/channel/smtp", smtp("smtp.example.com", "bob", PASSWORD)).as(user).send();
        String sealed = storedSmtpPassword(user);

        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", smtp("smtp.example.com", "bob", "another-Secret-9"))
                .as(user).send();

        assertEquals(200, answer.status(), answer.rawBody());
        String replaced = storedSmtpPassword(user);
        assertNotEquals(sealed, replaced);
        assertFalse(replaced.contains("another-Secret-9"));
    }

    @Test
    void omittedPasswordWithAnotherHostIsRefused() {
        String user = newUser();
        ApiEvents.put("/v1/channel/smtp", smtp("smtp.example.com", "bob", PASSWORD)).as(user).send();
        String sealed = storedSmtpPassword(user);
        String update = json("host", "mail.attacker.example", "port", 587, "security", "STARTTLS", "username", "bob",
                "authMethod", "PLAIN");

        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", update).as(user).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("password"), fields(answer));
        assertEquals(sealed, storedSmtpPassword(user));
        assertEquals("smtp.example.com", ApiEvents.get("/v1/channel").as(user).send().body().get("smtp").get("host")
                .asText());
    }

    @Test
    void omittedPasswordWithAnotherUsernameIsRefused() {
        String user = newUser();
        ApiEvents.put("/v1/channel/smtp", smtp("smtp.example.com", "bob", PASSWORD)).as(user).send();

        String update = json("host", "smtp.example.com", "port", 587, "security", "STARTTLS", "username", "alice",
                "authMethod", "PLAIN");
        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", update).as(user).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("password"), fields(answer));
        assertEquals("bob", ApiEvents.get("/v1/channel").as(user).send().body().get("smtp").get("username").asText());
    }

    @Test
    void anotherUserCannotSeeOrChangeSettings() {
        String owner = newUser();
        String other = newUser();
        ApiEvents.put("/v1/channel/smtp", smtp("smtp.example.com", "bob", PASSWORD)).as(owner).send();
        ApiEvents.put("/v1/channel", json("active", "SMTP")).as(owner).send();
        String sealed = storedSmtpPassword(owner);

        JsonNode theirs = ApiEvents.get("/v1/channel").as(other).send().body();
        assertEquals("MSC", theirs.get("active").asText());
        assertTrue(theirs.path("smtp").isNull());

        assertProblem(ApiEvents.put("/v1/channel", json("active", "SMTP")).as(other).send(), 409, "conflict");
        String takeOver = json("host", "smtp.example.com", "port", 587, "security", "STARTTLS", "username", "bob",
                "authMethod", "PLAIN");
        assertProblem(ApiEvents.put("/v1/channel/smtp", takeOver).as(other).send(), 422, "invalid-fields");
        assertEquals(204, ApiEvents.delete("/v1/channel/smtp").as(other).send().status());

        JsonNode mine = ApiEvents.get("/v1/channel").as(owner).send().body();
        assertEquals("SMTP", mine.get("active").asText());
        assertEquals("smtp.example.com", mine.get("smtp").get("host").asText());
        assertEquals(sealed, storedSmtpPassword(owner));
    }

    @Test
    void disconnectingGmailThatWasNeverConnectedIsFine() {
        String user = newUser();

        ApiAnswer answer = ApiEvents.delete("/v1/channel/gmail").as(user).send();

        assertEquals(204, answer.status(), answer.rawBody());
        JsonNode view = ApiEvents.get("/v1/channel").as(user).send().body();
        assertEquals("MSC", view.get("active").asText());
        assertTrue(view.path("gmail").isNull());
    }

    @Test
    void disconnectingGmailLeavesSmtpChoiceAlone() {
        String user = newUser();
        ApiEvents.put("/v1/channel/smtp", smtp("smtp.example.com", "bob", PASSWORD)).as(user).send();
        ApiEvents.put("/v1/channel", json("active", "SMTP")).as(user).send();

        assertEquals(204, ApiEvents.delete("/v1/channel/gmail").as(user).send().status());

        assertEquals("SMTP", ApiEvents.get("/v1/channel").as(user).send().body().get("active").asText());
    }

    static Set<String> fields(ApiAnswer answer) {
        Set<String> fields = new HashSet<>();
        answer.body().path("errors").forEach(error -> fields.add(error.get("field").asText()));
        return fields;
    }

    static String notes(JsonNode view) {
        List<String> notes = new java.util.ArrayList<>();
        view.get("preview").get("notes").forEach(note -> notes.add(note.asText()));
        return String.join("\n", notes);
    }
}
