package com.deliverychannels.function;

import static com.deliverychannels.function.SendFixtures.assertRefused;
import static com.deliverychannels.function.SendFixtures.identity;
import static com.deliverychannels.function.SendFixtures.lastRelayed;
import static com.deliverychannels.function.SendFixtures.relayed;
import static com.deliverychannels.function.SendFixtures.send;
import static com.deliverychannels.function.StoredItems.json;
import static com.deliverychannels.function.StoredItems.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.deliverychannels.channel.ChannelSettings;
import com.deliverychannels.channel.ChannelStore;
import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.channel.GmailConnection;
import com.deliverychannels.channel.GmailStatus;
import com.deliverychannels.core.SortableId;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.deliverychannels.testing.SendFunctionProfile;
import com.deliverychannels.testing.TestSmtpServer.ReceivedMessage;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The rules of {@code POST /v1/messages} as a caller meets them: every refused request answers why, names
 * the fields at fault, sends nothing and writes nothing.
 */
@QuarkusTest
@TestProfile(SendFunctionProfile.class)
class SendValidationTest {

    @Inject
    ChannelStore channels;

    @ParameterizedTest(name = "{0}")
    @MethodSource("withoutRecipient")
    void refusesAMessageWithoutRecipient(String name, String body) {
        String user = userWithIdentity();

        assertRefused(user, () -> send(user, body), 422, Set.of("to"));
    }

    static Stream<Arguments> withoutRecipient() {
        return Stream.of(
                Arguments.of("no to", json("subject", "Hello", "text", "Hi")),
                Arguments.of("empty to", json("to", List.of(), "cc", List.of("carol@example.org"), "subject", "Hello",
                        "text", "Hi")));
    }

    @Test
    void refusesMoreThanFiftyRecipientsInAll() {
        String user = userWithIdentity();
        String body = json("to", addresses("to", 20), "cc", addresses("cc", 20), "bcc", addresses("bcc", 11),
                "subject", "Hello", "text", "Hi");

        assertRefused(user, () -> send(user, body), 422, Set.of("to"));
    }

    @Test
    void sendsToFiftyRecipientsInAll() {
        String user = userWithIdentity();
        int before = relayed();

        ApiAnswer answer = send(user, json("to", addresses("to", 20), "cc", addresses("cc", 20),
                "bcc", addresses("bcc", 10), "subject", "Hello", "text", "Hi"));

        assertEquals(201, answer.status(), answer.rawBody());
        assertEquals(50, lastRelayed(before).recipients().size());
    }

    @Test
    void namesEveryInvalidAddressAtOnce() {
        String user = userWithIdentity();
        String body = json("to", List.of("bob@example.org", "bob at example.org"), "cc", List.of("carol@"),
                "bcc", List.of("@example.org"), "replyTo", "nobody", "subject", "Hello", "text", "Hi");

        assertRefused(user, () -> send(user, body), 422, Set.of("to[1]", "cc[0]", "bcc[0]", "replyTo"));
    }

    @Test
    void refusesANullRecipientAsAnInvalidAddress() {
        String user = userWithIdentity();
        String body = "{\"to\":[\"bob@example.org\",null],\"cc\":[null],\"subject\":\"Hello\",\"text\":\"Hi\"}";

        assertRefused(user, () -> send(user, body), 422, Set.of("to[1]", "cc[0]"));
    }

    @Test
    void refusesAMessageWithoutSubject() {
        String user = userWithIdentity();
        String body = json("to", List.of("bob@example.org"), "text", "Hi");

        assertRefused(user, () -> send(user, body), 422, Set.of("subject"));
    }

    @Test
    void refusesASubjectLongerThanOneHeaderLine() {
        String user = userWithIdentity();
        String body = json("to", List.of("bob@example.org"), "subject", "s".repeat(999), "text", "Hi");

        assertRefused(user, () -> send(user, body), 422, Set.of("subject"));
    }

    @Test
    void sendsASubjectOfExactly998Characters() throws Exception {
        String user = userWithIdentity();
        int before = relayed();
        String subject = "Quarterly pricing ".repeat(60).substring(0, 998);

        ApiAnswer answer = send(user, json("to", List.of("bob@example.org"), "subject", subject, "text", "Hi"));

        assertEquals(201, answer.status(), answer.rawBody());
        assertEquals("SENT", answer.body().get("status").asText());
        assertEquals(subject, lastRelayed(before).mime().getSubject());
    }

    @ParameterizedTest(name = "{index} {0}")
    @MethodSource("headerInjections")
    void refusesALineBreakInAnyHeaderValueAsHeaderInjection(String field, String body) {
        String user = userWithIdentity();

        assertRefused(user, () -> send(user, body), 400, Set.of(field));
    }

    static Stream<Arguments> headerInjections() {
        List<String> to = List.of("bob@example.org");
        return Stream.of(
                Arguments.of("subject", json("to", to, "subject", "Hello\r\nBcc: eve@evil.example", "text", "Hi")),
                Arguments.of("subject", json("to", to, "subject", "Hello\nBcc: eve@evil.example", "text", "Hi")),
                Arguments.of("to[0]", json("to", List.of("bob@example.org\r\nBcc: eve@evil.example"),
                        "subject", "Hello", "text", "Hi")),
                Arguments.of("cc[1]", json("to", to, "cc", List.of("carol@example.org", "dan@example.org\n"),
                        "subject", "Hello", "text", "Hi")),
                Arguments.of("bcc[0]", json("to", to, "bcc", List.of("\reve@evil.example"),
                        "subject", "Hello", "text", "Hi")),
                Arguments.of("replyTo", json("to", to, "replyTo", "alice@example.com\r\nX-Spam: no",
                        "subject", "Hello", "text", "Hi")),
                Arguments.of("conversationId", json("to", to, "conversationId", "conv-1\nBcc: eve@evil.example",
                        "subject", "Hello", "text", "Hi")));
    }

    @ParameterizedTest(name = "{index} {0} U+{1}")
    @MethodSource("controlCharacters")
    void refusesAnyControlCharacterOrLineSeparatorInAHeaderValueAsHeaderInjection(String field, String code) {
        String user = userWithIdentity();
        String c = String.valueOf((char) Integer.parseInt(code, 16));
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("to", List.of("bob@example.org"));
        body.put("subject", "Hello");
        body.put("text", "Hi");
        switch (field) {
            case "to[0]" -> body.put("to", List.of("bob@example.org" + c));
            case "cc[0]" -> body.put("cc", List.of(c + "carol@example.org"));
            case "bcc[0]" -> body.put("bcc", List.of("eve@example" + c + ".org"));
            default -> body.put(field, "Hel" + c + "lo@example.org");
        }
        Object[] pairs = body.entrySet().stream().flatMap(e -> Stream.of(e.getKey(), e.getValue())).toArray();

        assertRefused(user, () -> send(user, json(pairs)), 400, Set.of(field));
    }

    static Stream<Arguments> controlCharacters() {
        List<Arguments> cases = new ArrayList<>();
        for (String code : List.of("0000", "0008", "000B", "001B", "007F", "0085", "009F", "2028", "2029")) {
            for (String field : List.of("subject", "to[0]", "cc[0]", "bcc[0]", "replyTo", "conversationId")) {
                cases.add(Arguments.of(field, code));
            }
        }
        return cases.stream();
    }

    @Test
    void sendsATabInTheSubject() throws Exception {
        String user = userWithIdentity();
        int before = relayed();

        ApiAnswer answer = send(user, json("to", List.of("bob@example.org"), "subject", "Offer\tQ3", "text", "Hi"));

        assertEquals(201, answer.status(), answer.rawBody());
        assertTrue(lastRelayed(before).mime().getSubject().startsWith("Offer"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withoutBody")
    void refusesAMessageWithoutBody(String name, String body) {
        String user = userWithIdentity();

        assertRefused(user, () -> send(user, body), 422, Set.of("text"));
    }

    static Stream<Arguments> withoutBody() {
        List<String> to = List.of("bob@example.org");
        return Stream.of(
                Arguments.of("neither text nor html", json("to", to, "subject", "Hello")),
                Arguments.of("blank text, no html", json("to", to, "subject", "Hello", "text", " ")),
                Arguments.of("empty text and html", json("to", to, "subject", "Hello", "text", "", "html", "")));
    }

    @Test
    void sendsAnHtmlOnlyMessage() {
        String user = userWithIdentity();
        int before = relayed();

        ApiAnswer answer = send(user, json("to", List.of("bob@example.org"), "subject", "Hello",
                "html", "<p>Hi <b>Bob</b></p>"));

        assertEquals(201, answer.status(), answer.rawBody());
        assertEquals("SENT", answer.body().get("status").asText());
        String raw = new String(lastRelayed(before).raw(), StandardCharsets.UTF_8);
        assertTrue(raw.contains("text/html"), raw);
        assertTrue(raw.contains("<b>Bob</b>"), raw);
    }

    @Test
    void refusesAnUnknownField() {
        String user = userWithIdentity();
        String body = json("to", List.of("bob@example.org"), "subject", "Hello", "text", "Hi",
                "from", "ceo@example.com");

        assertRefused(user, () -> send(user, body), 400, Set.of("from"));
    }

    @Test
    void refusesRecipientsGivenAsAStringRatherThanAList() {
        String user = userWithIdentity();
        String body = json("to", "bob@example.org", "subject", "Hello", "text", "Hi");

        assertRefused(user, () -> send(user, body), 400, Set.of("to"));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("wrongTypes")
    void refusesAValueOfTheWrongTypeNamingTheFieldAndCoercesNothing(String field, Object value, String named) {
        String user = userWithIdentity();
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("to", List.of("bob@example.org"));
        body.put("subject", "Hello");
        body.put("text", "Hi");
        body.put(field, value);
        Object[] pairs = body.entrySet().stream().flatMap(e -> Stream.of(e.getKey(), e.getValue())).toArray();

        assertRefused(user, () -> send(user, json(pairs)), 400, Set.of(named));
    }

    /** CONTRACT §3 "no coercion: 123 is not a string": every field of the message with values of other types. */
    static Stream<Arguments> wrongTypes() {
        List<Object> notStrings = List.of(123, 1.5, true, false, java.util.Map.of(), List.of("x"));
        List<Arguments> cases = new ArrayList<>();
        for (String field : List.of("identityId", "replyTo", "subject", "text", "html", "conversationId")) {
            notStrings.forEach(value -> cases.add(Arguments.of(field, value, field)));
        }
        for (String field : List.of("to", "cc", "bcc")) {
            for (Object value : List.of("bob@example.org", 1, true, java.util.Map.of())) {
                cases.add(Arguments.of(field, value, field));
            }
            for (Object element : List.of(1, true, 2.5, java.util.Map.of(), List.of("bob@example.org"))) {
                cases.add(Arguments.of(field, List.of(element), field + "[0]"));
            }
        }
        return cases.stream();
    }

    @Test
    void refusesAUserWithoutIdentity() {
        String user = newUser();

        assertRefused(user, () -> send(user, validBody()), 409, Set.of());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unknownIdentities")
    void refusesAnUnknownIdentity(String identityId) {
        String user = userWithIdentity();

        assertRefused(user, () -> send(user, validBody("identityId", identityId)), 422, Set.of("identityId"));
    }

    static Stream<String> unknownIdentities() {
        return Stream.of(SortableId.at(Instant.now()), "../identities/x", "");
    }

    @Test
    void refusesAnotherUsersIdentityAsUnknown() {
        String owner = newUser();
        String othersIdentity = identity(owner, "Olivia Owner", "olivia@owner.example");
        String user = userWithIdentity();

        ApiAnswer answer = assertRefused(user, () -> send(user, validBody("identityId", othersIdentity)), 422,
                Set.of("identityId"));

        assertFalse(answer.rawBody().contains("olivia@owner.example"), answer.rawBody());
        assertFalse(answer.rawBody().contains("Olivia"), answer.rawBody());
        SendFixtures.assertNothingWrittenFor(owner);
    }

    @Test
    void refusesToSendThroughGmailThatMustBeReconnected() {
        String user = userWithIdentity();
        ChannelSettings current = channels.settings(user);
        Instant now = Instant.now();
        ChannelSettings next = current.withGmail(new GmailConnection("alice@gmail.com", "v1.test-1.c2VhbGVk",
                GmailStatus.RECONNECT_REQUIRED, now)).withActive(ChannelType.GMAIL).nextVersion(now);
        assertTrue(channels.replaceSettings(user, next, current.version()));

        assertRefused(user, () -> send(user, validBody()), 409, Set.of());
    }

    @Test
    void refusesACallerWithoutSubClaim() {
        String unused = newUser();

        assertRefused(unused, () -> ApiEvents.post("/v1/messages", validBody()).anonymous().send(), 401, Set.of());
    }

    @Test
    void refusesABodyOver256KiB() {
        String user = userWithIdentity();
        String body = json("to", List.of("bob@example.org"), "subject", "Hello", "text", "x".repeat(256 * 1024));

        assertRefused(user, () -> send(user, body), 413, Set.of());
    }

    @Test
    void explainsInTheCallersLanguage() {
        String user = userWithIdentity();

        ApiAnswer answer = assertRefused(user, () -> ApiEvents.post("/v1/messages",
                json("to", List.of("bob@example.org"), "text", "Ciao")).as(user)
                .header("Accept-Language", "it-IT,it;q=0.9,en;q=0.5").send(), 422, Set.of("subject"));

        assertEquals("it", answer.header("content-language"));
        assertEquals("Alcuni campi non sono validi; vedi errors.", answer.body().get("detail").asText());
        assertEquals("Campo obbligatorio.", answer.body().get("errors").get(0).get("message").asText());
    }

    @Test
    void sendsFromTheChosenIdentityRatherThanTheDefault() {
        String user = newUser();
        identity(user, "Alice Martin", "alice@example.com");
        String sales = identity(user, "Alice (sales)", "sales@example.com");
        int before = relayed();

        ApiAnswer answer = send(user, validBody("identityId", sales));

        assertEquals(201, answer.status(), answer.rawBody());
        assertEquals("sales@example.com", answer.body().get("from").asText());
        ReceivedMessage message = lastRelayed(before);
        String from = message.header("From");
        assertTrue(from.contains("<sales@example.com>"), from);
        assertTrue(from.contains("Alice (sales)"), from);
        assertFalse(from.contains("alice@example.com"), from);
    }

    private static String userWithIdentity() {
        String user = newUser();
        identity(user, "Alice Martin", "alice@example.com");
        return user;
    }

    private static String validBody(Object... more) {
        List<Object> pairs = new ArrayList<>(List.of("to", List.of("bob@example.org"), "subject", "Hello", "text", "Hi"));
        pairs.addAll(List.of(more));
        return json(pairs.toArray());
    }

    private static List<String> addresses(String prefix, int count) {
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            addresses.add(prefix + i + "@example.org");
        }
        return addresses;
    }
}
