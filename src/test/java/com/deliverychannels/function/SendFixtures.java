package com.deliverychannels.function;

import static com.deliverychannels.function.ChannelSettingsTest.fields;
import static com.deliverychannels.function.ChannelsRoutingTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import com.deliverychannels.bounce.FailureReason;
import com.deliverychannels.bounce.SuppressionList;
import com.deliverychannels.channel.ChannelService;
import com.deliverychannels.channel.IdentityChange;
import com.deliverychannels.channel.IdentityService;
import com.deliverychannels.channel.SmtpSettingsChange;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.DeliveryFixtures;
import com.deliverychannels.testing.DynamoDbLocalResource;
import com.deliverychannels.testing.MscRelayResource;
import com.deliverychannels.testing.TestSmtpServer.ReceivedMessage;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.arc.Arc;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Set-up that the send tests share, done through the real services (identities, SMTP settings, the active
 * channel, suppressions), and reads of what the table holds for deliveries.
 */
final class SendFixtures {
    private SendFixtures() {
    }

    /** Creates an identity for {@code user} (the first becomes the default) and answers its id. */
    static String identity(String user, String name, String address) {
        IdentityService identities = Arc.container().instance(IdentityService.class).get();
        return identities.create(user, new IdentityChange(name, address, null)).identity().id();
    }

    /**
     * Saves SMTP settings for {@code user} as {@code PUT /v1/channel/smtp} would and makes SMTP the active
     * channel, as {@code PUT /v1/channel} would.
     *
     * @param security   {@code STARTTLS} or {@code TLS}
     * @param authMethod {@code PLAIN} or {@code LOGIN}
     */
    static void useSmtp(String user, String host, int port, String security, String username, String password,
            String authMethod) {
        ChannelService channels = Arc.container().instance(ChannelService.class).get();
        channels.saveSmtp(user, new SmtpSettingsChange(host, port, security, username, password, authMethod));
        channels.activate(user, "SMTP");
    }

    /** Puts {@code address} on the user's suppression list, as a hard bounce would. */
    static void suppress(String user, String address) {
        Arc.container().instance(SuppressionList.class).get()
                .suppress(user, address, FailureReason.BOUNCE, Instant.now());
    }

    static List<String> eventTypes(JsonNode delivery) {
        List<String> types = new ArrayList<>();
        delivery.get("events").forEach(e -> types.add(e.get("type").asText()));
        return types;
    }

    static ApiEvents.ApiAnswer send(String user, String body) {
        return ApiEvents.post("/v1/messages", body).as(user).send();
    }

    /** The stored delivery item ({@code DELIVERY#<id>}), read with a raw client; null when there is none. */
    static Map<String, AttributeValue> deliveryItem(String deliveryId) {
        try (DynamoDbClient client = DynamoDbLocalResource.client()) {
            Map<String, AttributeValue> item = client.getItem(b -> b.tableName(DynamoDbLocalResource.TABLE)
                    .key(Map.of("pk", AttributeValue.fromS("DELIVERY#" + deliveryId),
                            "sk", AttributeValue.fromS("DELIVERY")))
                    .consistentRead(true)).item();
            return item == null || item.isEmpty() ? null : item;
        }
    }

    /** Every delivery item whose {@code owner} is {@code user} ({@link DeliveryFixtures#storedFor}). */
    static List<Map<String, AttributeValue>> deliveriesOf(String user) {
        try (DynamoDbClient client = DynamoDbLocalResource.client()) {
            return DeliveryFixtures.storedFor(client, DynamoDbLocalResource.TABLE, user);
        }
    }

    /**
     * Asserts that the table holds nothing a send writes for {@code user}: no delivery, no failed-delivery
     * record, no idempotency marker.
     */
    static void assertNothingWrittenFor(String user) {
        List<String> sendItems = StoredItems.itemsOf(user).stream().map(item -> item.get("sk").s())
                .filter(sk -> sk.startsWith("FAILED#") || sk.startsWith("IDEMPOTENCY#")).toList();
        assertEquals(List.of(), sendItems, "items a refused send must not write");
        assertEquals(0, deliveriesOf(user).size(), "a refused send must write no delivery");
    }

    /**
     * Makes the request and asserts that it was refused with {@code status}, naming exactly {@code fields},
     * and that it sent nothing to our relay and wrote nothing for {@code user}.
     */
    static ApiEvents.ApiAnswer assertRefused(String user, Supplier<ApiEvents.ApiAnswer> request, int status,
            Set<String> fields) {
        int before = relayed();
        ApiEvents.ApiAnswer answer = request.get();
        String type = switch (status) {
            case 400 -> "bad-request";
            case 401 -> "unauthenticated";
            case 409 -> "conflict";
            case 413 -> "payload-too-large";
            case 422 -> "invalid-fields";
            default -> throw new IllegalArgumentException("no problem type for " + status);
        };
        assertProblem(answer, status, type);
        assertEquals(fields, fields(answer), answer.rawBody());
        assertFalse(answer.body().has("deliveryId"), answer.rawBody());
        // The answer comes after any SMTP transaction: a message sent for this request would be there by now.
        assertEquals(before, relayed(), "a refused request sends nothing");
        assertNothingWrittenFor(user);
        return answer;
    }

    /** How many messages our relay has received so far. */
    static int relayed() {
        return MscRelayResource.relay().messages().size();
    }

    /** The one message our relay received after it had {@code before}. */
    static ReceivedMessage lastRelayed(int before) {
        List<ReceivedMessage> received = MscRelayResource.relay().awaitMessages(before + 1, Duration.ofSeconds(10));
        assertEquals(before + 1, received.size(), "exactly one message relayed");
        return received.get(received.size() - 1);
    }
}
