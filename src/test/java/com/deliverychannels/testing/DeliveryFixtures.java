package com.deliverychannels.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.core.SortableId;
import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.delivery.DeliveryEvent;
import com.deliverychannels.delivery.DeliveryStatus;
import com.deliverychannels.store.TableLayout;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Deliveries as the send function leaves them, for tests that start from a stored delivery or look for one. */
public final class DeliveryFixtures {
    private DeliveryFixtures() {
    }

    /** A SENT MSC delivery of a new user to {@code recipients}, its content dropped, as after our relay took it. */
    public static Delivery sent(String... recipients) {
        Instant now = Instant.now();
        String id = SortableId.at(now);
        return new Delivery(id, "user-" + UUID.randomUUID(), DeliveryStatus.SENT, ChannelType.MSC,
                SortableId.at(now), "Alice", "alice@example.org", List.of(recipients), List.of(), List.of(), null,
                "Quarterly review", null, null, null, true, true, 1, null, null,
                List.of(new DeliveryEvent("ACCEPTED", now, null), new DeliveryEvent("SENT", now, null)), now,
                "<m@mail.delivery-channels.local>", null, 2);
    }

    /**
     * A delivery as the send function leaves it after a first attempt that failed for a passing reason: content
     * kept, RETRY_SCHEDULED at {@code nextAttemptAt}, To and Cc recipients, a subject no other test uses.
     */
    public static Delivery retryScheduled(String user, String identityId, String address, ChannelType channel,
                                          int attempts, Instant nextAttemptAt, long version) {
        Instant accepted = Instant.now().minus(Duration.ofMinutes(3));
        String id = SortableId.at(accepted);
        List<DeliveryEvent> events = new ArrayList<>();
        events.add(new DeliveryEvent("ACCEPTED", accepted, null));
        events.add(new DeliveryEvent("RETRY_SCHEDULED", accepted.plusSeconds(1), "421 4.4.2 earlier: timeout"));
        return new Delivery(id, user, DeliveryStatus.RETRY_SCHEDULED, channel, identityId, "Alice Martin",
                address, List.of("bob@example.org"), List.of("carol@example.org"), List.of(), null,
                "Retry " + id, "Hi Bob,\nshall we talk?", "<p>Hi Bob,</p>", null, channel.viaTag(),
                channel.bounceTracking(), attempts, nextAttemptAt, "421 4.4.2 earlier: timeout", events, accepted,
                null, null, version);
    }

    /**
     * Every delivery item of {@code table} whose {@code owner} is {@code user}. Deliveries are keyed by their
     * own id, not by user, so this scans the (small, test-only) table: the one way to see a delivery nobody
     * was answered about.
     */
    public static List<Map<String, AttributeValue>> storedFor(DynamoDbClient dynamo, String table, String user) {
        return dynamo.scanPaginator(scan -> scan.tableName(table)
                        .filterExpression("#owner = :owner AND begins_with(#pk, :prefix)")
                        .expressionAttributeNames(Map.of("#owner", "owner", "#pk", TableLayout.PK))
                        .expressionAttributeValues(Map.of(":owner", AttributeValue.fromS(user),
                                ":prefix", AttributeValue.fromS("DELIVERY#")))
                        .consistentRead(true))
                .items().stream()
                .toList();
    }
}
