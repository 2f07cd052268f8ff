package com.deliverychannels.bounce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.deliverychannels.bounce.SesNotification.Kind;
import com.deliverychannels.bounce.SesNotification.Recipient;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * SES notifications as SES sends them (fixtures under {@code fixtures/ses/}: {@code notification-*} in the
 * identity-notification format, {@code event-*} in the event-publishing format), each compared field by field
 * with the record it must become.
 */
class SesNotificationParserTest {

    private final SesNotificationParser parser = new SesNotificationParser();

    private static String fixture(String name) {
        try (InputStream in = SesNotificationParserTest.class.getResourceAsStream("/fixtures/ses/" + name)) {
            assertNotNull(in, "fixture " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private SesNotification parse(String fixtureName) {
        return parser.parse(fixture(fixtureName));
    }

    private static Recipient recipient(String address, String status, String diagnostic) {
        return new Recipient(address, status, diagnostic);
    }

    private static Instant at(String iso) {
        return Instant.parse(iso);
    }

    // --- one test per fixture ---

    @Test
    void readsPermanentBounceNotificationWithOriginalHeaders() {
        assertEquals(new SesNotification(Kind.BOUNCE, "Bounce",
                "01002cc31a72f642-7d1944ff-0997-4b85-b230-6d4a8a2ad16e-000000", at("2025-11-04T09:15:40.902Z"),
                Optional.empty(), Optional.of("01K972D20AEQR8C258FDS1XZXR"), List.of("jane@example.com"),
                at("2025-11-04T09:15:42.318Z"),
                List.of(recipient("jane@example.com", "5.1.1",
                        "smtp; 550 5.1.1 <jane@example.com>: Recipient address rejected: User unknown in virtual mailbox table")),
                "Permanent", "General", null, null),
                parse("notification-bounce-permanent.json"));
    }

    @Test
    void readsPermanentBounceEventNamingTwoOfThreeRecipients() {
        assertEquals(new SesNotification(Kind.BOUNCE, "Bounce",
                "0100f61155ade326-cfb67d0f-7f49-46cc-b956-f6809afb9c51-000000", at("2025-11-05T14:02:11.530Z"),
                Optional.of("01K9A56CQEVE8TWTT54J6256Q9"), Optional.of("01K9A56CQEVE8TWTT54J6256Q9"),
                List.of("mary@example.com", "richard@example.com", "jane@example.com"),
                at("2025-11-05T14:02:13.006Z"),
                List.of(recipient("mary@example.com", "5.1.1", "smtp; 550 5.1.1 user unknown"),
                        recipient("richard@example.com", "5.1.10",
                                "smtp; 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup")),
                "Permanent", "General", null, null),
                parse("event-bounce-permanent-two-recipients.json"));
    }

    @Test
    void readsTransientMailboxFullBounceNotificationWithoutHeaders() {
        assertEquals(new SesNotification(Kind.BOUNCE, "Bounce",
                "0100bd6f2852f8d3-46212c10-d330-4270-944f-30249fe2c78e-000000", at("2025-11-06T07:45:03.114Z"),
                Optional.empty(), Optional.empty(), List.of("alex@example.com"), at("2025-11-06T07:45:09.871Z"),
                List.of(recipient("alex@example.com", "4.2.2",
                        "smtp; 452 4.2.2 The email account that you tried to reach is over quota.")),
                "Transient", "MailboxFull", null, null),
                parse("notification-bounce-transient-mailbox-full.json"));
    }

    @Test
    void readsTransientBounceEventWithPermanentStatus() {
        assertEquals(new SesNotification(Kind.BOUNCE, "Bounce",
                "0100a23bd558c4d2-150775a0-38fc-491b-88d2-99c6198aed79-000000", at("2025-11-07T16:20:55.402Z"),
                Optional.of("01K9FHXVGE7R5AV281CG56XXJ5"), Optional.of("01K9FHXVGE7R5AV281CG56XXJ5"),
                List.of("pat@example.org"), at("2025-11-07T16:21:02.950Z"),
                List.of(recipient("pat@example.org", "5.4.4",
                        "smtp; 550 5.4.4 Unable to route: no mail hosts for domain")),
                "Transient", "General", null, null),
                parse("event-bounce-transient-544.json"));
    }

    @Test
    void readsUndeterminedBounceWhoseRecipientHasNoDsn() {
        assertEquals(new SesNotification(Kind.BOUNCE, "Bounce",
                "01004d3b1bb3a3f5-5d7cb8dc-7a11-427f-bc5b-1a90a56be859-000000", at("2025-11-08T11:03:27.660Z"),
                Optional.empty(), Optional.empty(), List.of("chris@example.com"), at("2025-11-08T11:03:31.002Z"),
                List.of(recipient("chris@example.com", null, null)), "Undetermined", "Undetermined", null, null),
                parse("notification-bounce-undetermined.json"));
    }

    @Test
    void readsAbuseComplaintEvent() {
        assertEquals(new SesNotification(Kind.COMPLAINT, "Complaint",
                "0100964c86301e6a-0167b64e-fa1a-4946-8724-a3af5075cc7c-000000", at("2025-11-09T08:30:12.221Z"),
                Optional.of("01K9KVSC918H1WJGXJJSZW5ZWN"), Optional.of("01K9KVSC918H1WJGXJJSZW5ZWN"),
                List.of("richard@example.com"), at("2025-11-09T19:47:03.000Z"),
                List.of(recipient("richard@example.com", null, null)), null, null, "abuse", null),
                parse("event-complaint.json"));
    }

    @Test
    void readsComplaintNotificationWithoutFeedbackReport() {
        assertEquals(new SesNotification(Kind.COMPLAINT, "Complaint",
                "010045f37a577d6a-c63b1673-9036-4a0b-a0df-5ecab006e5cb-000000", at("2025-11-10T10:12:40.007Z"),
                Optional.empty(), Optional.empty(), List.of("dana@example.com"), at("2025-11-10T13:01:44.512Z"),
                List.of(recipient("dana@example.com", null, null)), null, null, null, null),
                parse("notification-complaint-no-feedback-report.json"));
    }

    @Test
    void readsDeliveryNotificationWithSmtpResponseOnOneLine() {
        assertEquals(new SesNotification(Kind.DELIVERY, "Delivery",
                "0100d0fa600abf35-71df7330-ffb2-4dca-8dfa-28901d2eaa75-000000", at("2025-11-11T09:00:01.300Z"),
                Optional.empty(), Optional.empty(), List.of("jane@example.com"), at("2025-11-11T09:00:02.146Z"),
                List.of(recipient("jane@example.com", null, null)), null, null, null,
                // SES keeps the server's double space; the timeline gets single spaces
                "250 2.0.0 OK 1762851602 d75a77b69052e-4ed8b1c2a3fsi1234567qtb.412 - gsmtp"),
                parse("notification-delivery.json"));
    }

    @Test
    void readsDeliveryEvent() {
        assertEquals(new SesNotification(Kind.DELIVERY, "Delivery",
                "010095bb1c827fe9-7a1af1a5-309c-4ff7-b16e-5912b382f4ba-000000", at("2025-11-11T09:05:44.018Z"),
                Optional.of("01K9S2KW3PYXF3SWYA7ANJS7WB"), Optional.of("01K9S2KW3PYXF3SWYA7ANJS7WB"),
                List.of("mary@example.com"), at("2025-11-11T09:05:45.391Z"),
                List.of(recipient("mary@example.com", null, null)), null, null, null,
                "250 2.6.0 <a1b2c3d4.e5f6a7b8@example.org> [InternalId=1889785056723, "
                        + "Hostname=DM6PR04MB1234.namprd04.prod.outlook.com] 19402 bytes in 0.112, 168.732 KB/sec "
                        + "Queued mail for delivery"),
                parse("event-delivery.json"));
    }

    @Test
    void readsRejectEventAsEveryDestinationAtMailTime() {
        assertEquals(new SesNotification(Kind.REJECT, "Reject",
                "0100d947c0347254-ed74503c-dfdb-48c9-89d1-f7217e90d0da-000000", at("2025-11-12T15:40:09.875Z"),
                Optional.of("01K9WBJT9QT84BFWCH9D0NQ5AM"), Optional.of("01K9WBJT9QT84BFWCH9D0NQ5AM"),
                List.of("jane@example.com"), at("2025-11-12T15:40:09.875Z"),
                List.of(recipient("jane@example.com", null, null)), null, null, null, "Bad content"),
                parse("event-reject.json"));
    }

    @Test
    void readsDeliveryDelayEvent() {
        assertEquals(new SesNotification(Kind.DELIVERY_DELAY, "DeliveryDelay",
                "010094960414b8e8-b42795ce-f806-407b-b9f4-267b58a911ca-000000", at("2025-11-13T06:10:30.095Z"),
                Optional.of("01K9XXCEKKM9HE3MPRAMKA1H12"), Optional.of("01K9XXCEKKM9HE3MPRAMKA1H12"),
                List.of("sam.other@example.org"), at("2025-11-13T06:25:40.095Z"),
                List.of(recipient("sam.other@example.org", "4.4.1", "smtp; 421 4.4.1 Unable to connect to remote host")),
                null, null, null, "TransientCommunicationFailure"),
                parse("event-delivery-delay.json"));
    }

    @Test
    void readsRenderingFailureEventWhichHasTagsButNoHeaders() {
        assertEquals(new SesNotification(Kind.RENDERING_FAILURE, "Rendering Failure",
                "01005761c7348914-5d702feb-143f-4429-bbf9-7f49b05bf548-000000", at("2025-11-14T12:00:00.197Z"),
                Optional.of("01KA13S479GN0KFTSGYN3ZEBPA"), Optional.empty(),
                List.of("jane@example.com", "mary@example.com"), at("2025-11-14T12:00:00.197Z"),
                List.of(recipient("jane@example.com", null, null), recipient("mary@example.com", null, null)),
                null, null, null, "Attribute 'firstName' is not present in the rendering data."),
                parse("event-rendering-failure.json"));
    }

    @Test
    void readsOpenEventAsOtherWithItsMailFields() {
        assertEquals(new SesNotification(Kind.OTHER, "Open",
                "01007a6c1e979a8d-6d78b2f2-0228-42ea-807a-b4530f22db45-000000", at("2025-11-15T08:00:05.420Z"),
                Optional.of("01KA38EHTGWXQSE3QXNKT8HV44"), Optional.of("01KA38EHTGWXQSE3QXNKT8HV44"),
                List.of("jane@example.com"), at("2025-11-15T08:00:05.420Z"), List.of(), null, null, null, null),
                parse("event-open.json"));
    }

    @Test
    void readsRealSesBounceEventFromTheSimulator() {
        // taken from a real SNS delivery (../shared/fixtures/sns-real/ses-event-bounce.sns-v1.json): no
        // deliveryId tag or header, so only mail.messageId can match it
        assertEquals(new SesNotification(Kind.BOUNCE, "Bounce",
                "0107017cda9fa5c6-be6757c7-8954-4f49-bea4-259cb6e602de-000000", at("2021-11-01T08:31:08.230Z"),
                Optional.empty(), Optional.empty(), List.of("bounce@simulator.amazonses.com"),
                at("2021-11-01T08:31:09.745Z"),
                List.of(recipient("bounce@simulator.amazonses.com", "5.1.1", "smtp; 550 5.1.1 user unknown")),
                "Permanent", "General", null, null),
                parse("event-bounce-real.json"));
    }

    // --- suppression ---

    @ParameterizedTest(name = "{0} suppresses: {1}")
    @CsvSource({
            "notification-bounce-permanent.json,              true",
            "event-bounce-permanent-two-recipients.json,      true",
            "event-bounce-real.json,                          true",
            "notification-bounce-transient-mailbox-full.json, false",
            "event-bounce-transient-544.json,                 true",
            "notification-bounce-undetermined.json,           false",
            "event-complaint.json,                            true",
            "notification-complaint-no-feedback-report.json,  true",
            "notification-delivery.json,                      false",
            "event-delivery.json,                             false",
            "event-delivery-delay.json,                       false",
            "event-reject.json,                               false",
            "event-rendering-failure.json,                    false",
    })
    void suppressesHardBouncesAndComplaintsOnly(String fixtureName, boolean suppresses) {
        SesNotification notification = parse(fixtureName);
        assertFalse(notification.recipients().isEmpty());
        for (Recipient recipient : notification.recipients()) {
            assertEquals(suppresses, notification.suppresses(recipient), recipient.address());
        }
    }

    @ParameterizedTest(name = "{0} bounce, status {1}: {2}")
    @CsvSource(nullValues = "null", value = {
            "Permanent,    5.1.1, true",
            "Permanent,    null,  true",
            "Transient,    4.2.2, false",
            "Transient,    5.4.4, true",
            "Transient,    null,  false",
            "Undetermined, 5.0.0, false",
            "Undetermined, null,  false",
    })
    void transientBounceSuppressesOnlyWithPermanentStatus(String bounceType, String status, boolean suppresses) {
        Recipient recipient = recipient("jane@example.com", status, null);
        SesNotification bounce = new SesNotification(Kind.BOUNCE, "Bounce", "id", at("2025-11-04T09:15:40Z"),
                Optional.empty(), Optional.empty(), List.of("jane@example.com"), at("2025-11-04T09:15:41Z"),
                List.of(recipient), bounceType, "General", null, null);
        assertEquals(suppresses, bounce.suppresses(recipient));
    }

    // --- malformed ---

    static Stream<Arguments> malformedMessages() {
        return Stream.of(
                Arguments.of("empty", "", "message is empty"),
                Arguments.of("not JSON", "{\"eventType\":\"Bounce\", jane@example.com", "message is not JSON"),
                Arguments.of("trailing text", "{\"eventType\":\"Open\"} jane@example.com", "message is not JSON"),
                Arguments.of("repeated type key", "{\"eventType\":\"Open\",\"eventType\":\"Bounce\"}",
                        "message is not JSON"),
                Arguments.of("array", "[{\"eventType\":\"Bounce\"}]", "message is not a JSON object"),
                Arguments.of("string", "\"jane@example.com\"", "message is not a JSON object"),
                Arguments.of("null", "null", "message is not a JSON object"),
                Arguments.of("empty object", "{}", "neither eventType nor notificationType is present"),
                Arguments.of("eventType a number", "{\"eventType\":3,\"mail\":{}}", "eventType is not a string"),
                Arguments.of("notificationType an object", "{\"notificationType\":{\"name\":\"Bounce\"}}",
                        "notificationType is not a string"),
                Arguments.of("eventType blank", "{\"eventType\":\" \"}", "eventType is empty"),
                Arguments.of("missing mail", """
                        {"eventType":"Bounce","bounce":{"bounceType":"Permanent",
                         "bouncedRecipients":[{"emailAddress":"jane@example.com"}]}}""", "mail is missing"),
                Arguments.of("mail not an object", """
                        {"notificationType":"Delivery","mail":"jane@example.com"}""", "mail is not an object"),
                Arguments.of("missing messageId", """
                        {"eventType":"Reject","mail":{"timestamp":"2025-11-04T09:15:40.902Z",
                         "destination":["jane@example.com"]},"reject":{"reason":"Bad content"}}""",
                        "mail.messageId is missing"),
                Arguments.of("messageId a number", """
                        {"notificationType":"Delivery","mail":{"messageId":42,
                         "timestamp":"2025-11-04T09:15:40.902Z","destination":["jane@example.com"]}}""",
                        "mail.messageId is not a string"),
                Arguments.of("missing mail timestamp", """
                        {"notificationType":"Delivery","mail":{"messageId":"0100-abc",
                         "destination":["jane@example.com"]}}""", "mail.timestamp is missing"),
                Arguments.of("bounce without bounce object", """
                        {"eventType":"Bounce","mail":{"messageId":"0100-abc",
                         "timestamp":"2025-11-04T09:15:40.902Z","destination":["jane@example.com"]}}""",
                        "bounce is missing"),
                Arguments.of("bounce without recipients", """
                        {"eventType":"Bounce","mail":{"messageId":"0100-abc",
                         "timestamp":"2025-11-04T09:15:40.902Z","destination":["jane@example.com"]},
                         "bounce":{"bounceType":"Permanent","bounceSubType":"General"}}""",
                        "bounce.bouncedRecipients is missing or empty"),
                Arguments.of("bounce with empty recipients", """
                        {"notificationType":"Bounce","mail":{"messageId":"0100-abc",
                         "timestamp":"2025-11-04T09:15:40.902Z","destination":["jane@example.com"]},
                         "bounce":{"bounceType":"Permanent","bouncedRecipients":[]}}""",
                        "bounce.bouncedRecipients is missing or empty"),
                Arguments.of("bounced recipient without address", """
                        {"notificationType":"Bounce","mail":{"messageId":"0100-abc",
                         "timestamp":"2025-11-04T09:15:40.902Z","destination":["jane@example.com"]},
                         "bounce":{"bounceType":"Permanent","bouncedRecipients":[{"status":"5.1.1"}]}}""",
                        "bounce.bouncedRecipients[0].emailAddress is missing"),
                Arguments.of("complaint without recipients", """
                        {"eventType":"Complaint","mail":{"messageId":"0100-abc",
                         "timestamp":"2025-11-04T09:15:40.902Z","destination":["jane@example.com"]},
                         "complaint":{"complaintFeedbackType":"abuse"}}""",
                        "complaint.complainedRecipients is missing or empty"),
                Arguments.of("bad mail timestamp", """
                        {"notificationType":"Delivery","mail":{"messageId":"0100-abc",
                         "timestamp":"yesterday jane@example.com","destination":["jane@example.com"]}}""",
                        "mail.timestamp is not an ISO-8601 timestamp"),
                Arguments.of("bad bounce timestamp", """
                        {"eventType":"Bounce","mail":{"messageId":"0100-abc",
                         "timestamp":"2025-11-04T09:15:40.902Z","destination":["jane@example.com"]},
                         "bounce":{"bounceType":"Permanent","timestamp":"2025-13-04T09:15:40.902Z",
                         "bouncedRecipients":[{"emailAddress":"jane@example.com"}]}}""",
                        "bounce.timestamp is not an ISO-8601 timestamp"),
                Arguments.of("timestamp without zone", """
                        {"eventType":"Reject","mail":{"messageId":"0100-abc",
                         "timestamp":"2025-11-04T09:15:40.902","destination":["jane@example.com"]}}""",
                        "mail.timestamp is not an ISO-8601 timestamp"),
                Arguments.of("destination a string", """
                        {"eventType":"Reject","mail":{"messageId":"0100-abc",
                         "timestamp":"2025-11-04T09:15:40.902Z","destination":"jane@example.com"}}""",
                        "mail.destination is not an array"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedMessages")
    void refusesMalformedMessageNamingWhatIsWrongWithoutEchoingIt(String scenario, String message, String expected) {
        MalformedSesNotificationException refused = assertThrows(MalformedSesNotificationException.class,
                () -> parser.parse(message));
        assertTrue(refused.getMessage().contains(expected), refused.getMessage());
        assertFalse(refused.getMessage().contains("jane"), "echoes the payload: " + refused.getMessage());
    }

    @Test
    void refusesNull() {
        assertThrows(MalformedSesNotificationException.class, () -> parser.parse(null));
    }

    // --- tolerance ---

    @Test
    void ignoresFieldsSesMayAddLater() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode message = (ObjectNode) json.readTree(fixture("event-bounce-permanent-two-recipients.json"));
        message.put("eventVersion", "2.1");
        ((ObjectNode) message.get("mail")).putObject("routing").put("region", "eu-west-1");
        ((ObjectNode) message.get("bounce")).putArray("extraDiagnostics").add(1).add("x");
        ((ObjectNode) message.get("bounce").get("bouncedRecipients").get(0)).put("remoteMtaIp", "203.0.113.9");
        ((ObjectNode) message.get("mail").get("tags")).putArray("campaign").add("autumn");

        assertEquals(parse("event-bounce-permanent-two-recipients.json"),
                parser.parse(json.writeValueAsString(message)));
    }

    @ParameterizedTest
    @ValueSource(strings = { "Send", "Click", "Subscription", "Some Type SES Adds Later" })
    void acknowledgesOtherEventTypesThatCarryOnlyTheirType(String eventType) {
        SesNotification other = parser.parse("{\"eventType\":\"" + eventType + "\"}");

        assertEquals(new SesNotification(Kind.OTHER, eventType, null, null, Optional.empty(), Optional.empty(),
                List.of(), null, List.of(), null, null, null, null), other);
        assertFalse(other.suppresses(recipient("jane@example.com", "5.1.1", null)));
    }

    @Test
    void acknowledgesOtherEventWhoseMailIsUnreadable() {
        SesNotification click = parser.parse("""
                {"eventType":"Click","mail":{"messageId":7,"timestamp":"not a time","destination":"x"},
                 "click":{"link":"https://example.com/pricing"}}""");

        assertEquals(Kind.OTHER, click.kind());
        assertEquals(null, click.sesMessageId());
        assertEquals(null, click.mailTimestamp());
        assertEquals(List.of(), click.destination());
    }

    @Test
    void acceptsRenderingFailureWrittenWithoutSpace() {
        SesNotification failure = parser.parse(
                fixture("event-rendering-failure.json").replace("\"Rendering Failure\"", "\"RenderingFailure\""));

        assertEquals(Kind.RENDERING_FAILURE, failure.kind());
        assertEquals("RenderingFailure", failure.rawType());
    }

    @Test
    void findsDeliveryIdHeaderWhateverTheCaseOfItsName() {
        SesNotification bounce = parser.parse(
                fixture("notification-bounce-permanent.json").replace("\"X-Delivery-Id\"", "\"x-delivery-ID\""));

        assertEquals(Optional.of("01K972D20AEQR8C258FDS1XZXR"), bounce.deliveryIdHeader());
    }

    @Test
    void trimsRecipientAddressesAndKeepsDisplayNamesElsewhereAlone() {
        SesNotification complaint = parser.parse(fixture("notification-complaint-no-feedback-report.json")
                .replace("\"emailAddress\": \"dana@example.com\"", "\"emailAddress\": \"  dana@example.com \""));

        assertEquals(List.of(recipient("dana@example.com", null, null)), complaint.recipients());
    }

    @Test
    void readsTimestampsWithAnOffset() {
        SesNotification reject = parser.parse("""
                {"eventType":"Reject","mail":{"messageId":"0100-abc","timestamp":"2025-11-04T11:15:40.902+02:00",
                 "destination":["jane@example.com"]},"reject":{"reason":"Bad content"}}""");

        assertEquals(at("2025-11-04T09:15:40.902Z"), reject.mailTimestamp());
        assertEquals(at("2025-11-04T09:15:40.902Z"), reject.occurredAt());
    }

    @Test
    void keepsDetailToOneShortLine() {
        String reply = "250-first line of a long reply\r\n250 " + "x".repeat(400);
        SesNotification delivery = parser.parse("""
                {"notificationType":"Delivery","mail":{"messageId":"0100-abc",
                 "timestamp":"2025-11-04T09:15:40.902Z","destination":["jane@example.com"]},
                 "delivery":{"recipients":["jane@example.com"],"smtpResponse":%s}}"""
                .formatted(new ObjectMapper().valueToTree(reply).toString()));

        assertEquals(SesNotificationParser.DETAIL_MAX_LENGTH, delivery.detail().length());
        assertTrue(delivery.detail().startsWith("250-first line of a long reply 250 xxx"), delivery.detail());
        assertTrue(delivery.detail().endsWith("…"), delivery.detail());
        // no delivery.timestamp: the mail timestamp stands in
        assertEquals(at("2025-11-04T09:15:40.902Z"), delivery.occurredAt());
    }
}
