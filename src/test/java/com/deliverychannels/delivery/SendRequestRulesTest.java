package com.deliverychannels.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.deliverychannels.core.FieldError;
import com.deliverychannels.core.InvalidInputException;
import com.deliverychannels.core.SortableId;

/** CONTRACT §3 {@code send} rules, one row per case: accepted, invalid (422) or header injection (400). */
class SendRequestRulesTest {
    private static final SendRequest VALID = new SendRequest(null, List.of("bob@example.org"), null, null, null,
            "Quarterly pricing", "Hi Bob", null, null);

    enum Verdict { ACCEPTED, INVALID, INJECTION }

    /** A variation of a valid request, and what the rules must answer, naming which fields. */
    record Case(String name, UnaryOperator<Req> change, Verdict verdict, Set<String> fields) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                accepted("a valid request", r -> r),
                accepted("html only", r -> r.text(null).html("<p>Hi</p>")),
                accepted("text and html", r -> r.html("<p>Hi</p>")),
                accepted("50 recipients in all", r -> r.to(addresses("to", 30)).cc(addresses("cc", 10))
                        .bcc(addresses("bcc", 10))),
                accepted("a subject of 998 characters", r -> r.subject("s".repeat(998))),
                accepted("an empty subject", r -> r.subject("")),
                accepted("a quoted local part", r -> r.to(List.of("\"bob smith\"@example.org"))),
                accepted("a reply-to", r -> r.replyTo("sales@example.com")),
                accepted("a conversation id of 256 characters", r -> r.conversationId("c".repeat(256))),
                accepted("a well-formed identity id", r -> r.identityId(SortableId.at(Instant.now()))),
                accepted("tabs and non-ASCII in the subject", r -> r.subject("Prix\tà négocier ✓")),

                invalid("no to", r -> r.to(null), "to"),
                invalid("an empty to", r -> r.to(List.of()).cc(List.of("carol@example.org")), "to"),
                invalid("51 recipients in all", r -> r.to(addresses("to", 1)).cc(addresses("cc", 25))
                        .bcc(addresses("bcc", 25)), "to"),
                invalid("51 recipients in to alone", r -> r.to(addresses("to", 51)), "to"),
                invalid("an invalid second to", r -> r.to(List.of("bob@example.org", "bob")), "to[1]"),
                invalid("a null to", r -> r.to(Arrays.asList("bob@example.org", null)), "to[1]"),
                invalid("an invalid cc", r -> r.cc(List.of("carol@")), "cc[0]"),
                invalid("an invalid bcc", r -> r.bcc(List.of("@example.org")), "bcc[0]"),
                invalid("an invalid reply-to", r -> r.replyTo("Sales <sales@example.com>"), "replyTo"),
                invalid("a display name in to", r -> r.to(List.of("Bob <bob@example.org>")), "to[0]"),
                invalid("a bare host name", r -> r.to(List.of("bob@localhost")), "to[0]"),
                invalid("no subject", r -> r.subject(null), "subject"),
                invalid("a subject of 999 characters", r -> r.subject("s".repeat(999)), "subject"),
                invalid("neither text nor html", r -> r.text(null), "text"),
                invalid("blank text and html", r -> r.text("  ").html("\t"), "text"),
                invalid("a conversation id of 257 characters", r -> r.conversationId("c".repeat(257)),
                        "conversationId"),
                invalid("a malformed identity id", r -> r.identityId("../x"), "identityId"),
                invalid("every fault at once", r -> r.to(List.of("bob", "carol@example.org")).cc(List.of("x"))
                        .subject(null).text(null), "to[0]", "cc[0]", "subject", "text"),

                injection("CR LF in the subject", r -> r.subject("Hi\r\nBcc: eve@evil.example"), "subject"),
                injection("LF in the subject", r -> r.subject("Hi\nthere"), "subject"),
                injection("CR in the subject", r -> r.subject("Hi\rthere"), "subject"),
                injection("a long subject with a line break", r -> r.subject("s".repeat(1000) + "\n"), "subject"),
                injection("LF in a to", r -> r.to(List.of("bob@example.org\nBcc: eve@evil.example")), "to[0]"),
                injection("CR in a cc", r -> r.cc(List.of("carol@example.org", "dan@example.org\r")), "cc[1]"),
                injection("LF in a bcc", r -> r.bcc(List.of("\neve@evil.example")), "bcc[0]"),
                injection("CR LF in the reply-to", r -> r.replyTo("sales@example.com\r\nX-Spam: no"), "replyTo"),
                injection("LF in the conversation id", r -> r.conversationId("c-1\nBcc: eve@evil.example"),
                        "conversationId"),
                injection("an injection wins over invalid fields", r -> r.subject("Hi\nthere").text(null)
                        .to(List.of("bob")), "subject"));
    }

    /** Every control character and line separator but the tab, in every field that becomes a header. */
    static Stream<Case> controlCharacters() {
        List<Case> cases = new ArrayList<>();
        for (char c : new char[] {'\u0000', '\u0001', '\u0007', '\u0008', '\u000B', '\u000C', '\u001B', '\u001F',
                '\u007F', '\u0080', '\u0085', '\u009B', '\u009F', '\u2028', '\u2029'}) {
            String name = String.format(" U+%04X", (int) c);
            cases.add(injection("subject" + name, r -> r.subject("Hi" + c + "there"), "subject"));
            cases.add(injection("to" + name, r -> r.to(List.of("bob@example.org" + c)), "to[0]"));
            cases.add(injection("cc" + name, r -> r.cc(List.of(c + "carol@example.org")), "cc[0]"));
            cases.add(injection("bcc" + name, r -> r.bcc(List.of("eve@" + c + "example.org")), "bcc[0]"));
            cases.add(injection("replyTo" + name, r -> r.replyTo("sales" + c + "@example.com"), "replyTo"));
            cases.add(injection("conversationId" + name, r -> r.conversationId("c-1" + c), "conversationId"));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("controlCharacters")
    void refusesEveryControlCharacterInAHeaderAsInjection(Case c) {
        judgesTheRequest(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void judgesTheRequest(Case c) {
        SendRequest request = c.change().apply(new Req()).build();
        switch (c.verdict()) {
            case ACCEPTED -> SendRequestRules.check(request);
            case INVALID, INJECTION -> {
                InvalidInputException refused = assertThrows(InvalidInputException.class,
                        () -> SendRequestRules.check(request));
                assertEquals(c.verdict() == Verdict.INJECTION, refused.malformed(), "400 rather than 422");
                assertEquals(c.fields(), refused.errors().stream().map(FieldError::field).collect(Collectors.toSet()));
            }
        }
    }

    private static Case accepted(String name, UnaryOperator<Req> change) {
        return new Case(name, change, Verdict.ACCEPTED, Set.of());
    }

    private static Case invalid(String name, UnaryOperator<Req> change, String... fields) {
        return new Case(name, change, Verdict.INVALID, Set.of(fields));
    }

    private static Case injection(String name, UnaryOperator<Req> change, String... fields) {
        return new Case(name, change, Verdict.INJECTION, Set.of(fields));
    }

    private static List<String> addresses(String prefix, int count) {
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            addresses.add(prefix + i + "@example.org");
        }
        return Collections.unmodifiableList(addresses);
    }

    /** A request to vary, starting from {@link #VALID}. */
    static final class Req {
        private String identityId = VALID.identityId();
        private List<String> to = VALID.to();
        private List<String> cc = VALID.cc();
        private List<String> bcc = VALID.bcc();
        private String replyTo = VALID.replyTo();
        private String subject = VALID.subject();
        private String text = VALID.text();
        private String html = VALID.html();
        private String conversationId = VALID.conversationId();

        Req identityId(String value) { identityId = value; return this; }
        Req to(List<String> value) { to = value; return this; }
        Req cc(List<String> value) { cc = value; return this; }
        Req bcc(List<String> value) { bcc = value; return this; }
        Req replyTo(String value) { replyTo = value; return this; }
        Req subject(String value) { subject = value; return this; }
        Req text(String value) { text = value; return this; }
        Req html(String value) { html = value; return this; }
        Req conversationId(String value) { conversationId = value; return this; }

        SendRequest build() {
            return new SendRequest(identityId, to, cc, bcc, replyTo, subject, text, html, conversationId);
        }
    }
}
