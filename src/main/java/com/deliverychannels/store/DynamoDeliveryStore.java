package com.deliverychannels.store;

import static com.deliverychannels.store.Items.instant;
import static com.deliverychannels.store.Items.key;
import static com.deliverychannels.store.Items.n;
import static com.deliverychannels.store.Items.putIfPresent;
import static com.deliverychannels.store.Items.s;
import static com.deliverychannels.store.Items.string;
import static com.deliverychannels.store.Items.userPk;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import com.deliverychannels.bounce.FailedDelivery;
import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.config.TableConfig;
import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.delivery.DeliveryEvent;
import com.deliverychannels.delivery.DeliveryStatus;
import com.deliverychannels.delivery.DeliveryStore;
import com.deliverychannels.delivery.DeliveryStore.KeyedCreation;
import com.deliverychannels.delivery.IdempotencyMarker;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * Deliveries under {@code DELIVERY#<id> / DELIVERY}, versioned; while one waits for an attempt it carries
 * {@code gsi1pk = RETRY#<shard>} and {@code gsi1sk = <nextAttemptAt>#<id>}, so the retry sweep finds due
 * deliveries by index. Idempotency markers live under {@code USER#sub / IDEMPOTENCY#<key>} with a TTL, and
 * hold the first request's answer once it gave one.
 */
@ApplicationScoped
public class DynamoDeliveryStore implements DeliveryStore {
    /** Due retries are spread over this many index partitions, so one hot partition never limits the sweep. */
    public static final int RETRY_SHARDS = 4;
    /** How long a delivery record is kept after it was created. */
    static final Duration RETENTION = Duration.ofDays(180);
    /** How long a FAILED delivery, its content included, is kept for a retry by hand. */
    public static final Duration FAILED_RETENTION = Duration.ofDays(30);
    private static final String SK = "DELIVERY";
    private static final String IDEMPOTENCY_PREFIX = "IDEMPOTENCY#";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final DynamoFailedDeliveryStore failedDeliveries;

    public DynamoDeliveryStore(DynamoDbClient dynamo, TableConfig config, Clock clock,
            DynamoFailedDeliveryStore failedDeliveries) {
        this.dynamo = dynamo;
        this.table = config.table();
        this.clock = clock;
        this.failedDeliveries = failedDeliveries;
    }

    @Override
    public boolean create(Delivery delivery, Optional<IdempotencyMarker> marker) {
        if (marker.isPresent()) {
            return create(delivery, marker.get()) instanceof KeyedCreation.Created;
        }
        return StoreCalls.conditionally(() -> dynamo.putItem(b -> b.tableName(table).item(toItem(delivery))
                .conditionExpression("attribute_not_exists(pk)")));
    }

    @Override
    public KeyedCreation create(Delivery delivery, IdempotencyMarker marker) {
        Put put = Put.builder().tableName(table).item(toItem(delivery))
                .conditionExpression("attribute_not_exists(pk)").build();
        // An expired marker may linger until DynamoDB's TTL removes it: it counts as absent. A live one is handed
        // back by the refusal itself (ALL_OLD), so the loser learns who holds the key without a second read.
        Put markerPut = Put.builder().tableName(table).item(markerItem(marker))
                .conditionExpression("attribute_not_exists(pk) OR #ttl < :now")
                .expressionAttributeNames(Map.of("#ttl", TableLayout.TTL))
                .expressionAttributeValues(Map.of(":now", n(clock.instant().getEpochSecond())))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
        AtomicReference<TransactionCanceledException> refusal = new AtomicReference<>();
        boolean written = StoreCalls.conditionally(() -> {
            try {
                dynamo.transactWriteItems(b -> b.transactItems(TransactWriteItem.builder().put(markerPut).build(),
                        TransactWriteItem.builder().put(put).build()));
            } catch (TransactionCanceledException e) {
                refusal.set(e);
                throw e;
            }
        });
        if (written) {
            return new KeyedCreation.Created();
        }
        Optional<Map<String, AttributeValue>> holder = Optional.ofNullable(refusal.get())
                .map(TransactionCanceledException::cancellationReasons)
                .filter(reasons -> !reasons.isEmpty())
                .map(reasons -> reasons.get(0))
                .filter(reason -> "ConditionalCheckFailed".equals(reason.code()) && reason.hasItem()
                        && !reason.item().isEmpty())
                .map(CancellationReason::item);
        if (holder.isPresent()) {
            return new KeyedCreation.Taken(toMarker(marker.userId(), marker.key(), holder.get()));
        }
        // Another transaction on the same marker at this moment (TransactionConflict): it may not be visible yet.
        return marker(marker.userId(), marker.key()).<KeyedCreation>map(KeyedCreation.Taken::new)
                .orElseGet(KeyedCreation.Contended::new);
    }

    @Override
    public Optional<Delivery> find(String deliveryId) {
        Map<String, AttributeValue> item = StoreCalls.call(() -> dynamo.getItem(b -> b.tableName(table)
                .key(key("DELIVERY#" + deliveryId, SK)).consistentRead(true)).item());
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toDelivery(item));
    }

    @Override
    public Map<String, Delivery> findAll(Collection<String> deliveryIds) {
        if (deliveryIds.size() > MAX_FIND_ALL) {
            throw new IllegalArgumentException("at most " + MAX_FIND_ALL + " ids at once, not " + deliveryIds.size());
        }
        List<Map<String, AttributeValue>> keys = deliveryIds.stream().distinct()
                .map(id -> key("DELIVERY#" + id, SK)).toList();
        Map<String, Delivery> found = new LinkedHashMap<>();
        StoreCalls.batchGet(dynamo, table, keys).stream().map(DynamoDeliveryStore::toDelivery)
                .forEach(delivery -> found.put(delivery.deliveryId(), delivery));
        return found;
    }

    @Override
    public Optional<Delivery> findBySesMessageId(String sesMessageId) {
        List<Map<String, AttributeValue>> keys = StoreCalls.call(() -> dynamo.query(b -> b.tableName(table)
                .indexName(TableLayout.BY_SES_MESSAGE_ID)
                .keyConditionExpression("#id = :id")
                .expressionAttributeNames(Map.of("#id", TableLayout.SES_MESSAGE_ID))
                .expressionAttributeValues(Map.of(":id", s(sesMessageId)))
                .limit(1))).items();
        return keys.isEmpty() ? Optional.empty()
                : find(keys.get(0).get(TableLayout.PK).s().substring("DELIVERY#".length()));
    }

    @Override
    public boolean update(Delivery next, long expectedVersion, List<FailedDelivery> failures) {
        return write(next, expectedVersion, failures, Optional.empty());
    }

    @Override
    public boolean update(Delivery next, long expectedVersion, List<FailedDelivery> failures,
            IdempotencyMarker answered) {
        return write(next, expectedVersion, failures, Optional.of(answered));
    }

    private boolean write(Delivery next, long expectedVersion, List<FailedDelivery> failures,
            Optional<IdempotencyMarker> answered) {
        Put put = Put.builder().tableName(table).item(toItem(next))
                .conditionExpression("#version = :expected")
                .expressionAttributeNames(Map.of("#version", "version"))
                .expressionAttributeValues(Map.of(":expected", n(expectedVersion)))
                .build();
        List<TransactWriteItem> writes = new ArrayList<>();
        writes.add(TransactWriteItem.builder().put(put).build());
        for (FailedDelivery failure : failures) {
            writes.add(TransactWriteItem.builder().put(Put.builder().tableName(table)
                    .item(failedDeliveries.toItem(next.userId(), failure)).build()).build());
        }
        // Unconditional: the marker is this request's own (it wrote it with the delivery), and no condition on it
        // may ever keep the outcome of a message that left from being recorded.
        answered.ifPresent(marker -> writes.add(TransactWriteItem.builder()
                .put(Put.builder().tableName(table).item(markerItem(marker)).build()).build()));
        if (writes.size() == 1) {
            return StoreCalls.conditionally(() -> dynamo.putItem(b -> b.tableName(table).item(put.item())
                    .conditionExpression(put.conditionExpression())
                    .expressionAttributeNames(put.expressionAttributeNames())
                    .expressionAttributeValues(put.expressionAttributeValues())));
        }
        return StoreCalls.conditionally(() -> dynamo.transactWriteItems(b -> b.transactItems(writes)));
    }

    @Override
    public List<String> due(Instant now, int limit) {
        List<String> ids = new ArrayList<>();
        for (int shard = 0; shard < RETRY_SHARDS; shard++) {
            String partition = "RETRY#" + shard;
            // '~' sorts after every id character: everything due up to and including this millisecond.
            List<Map<String, AttributeValue>> keys = StoreCalls.call(() -> dynamo.query(b -> b.tableName(table)
                    .indexName(TableLayout.GSI1)
                    .keyConditionExpression("#pk = :pk AND #sk <= :now")
                    .expressionAttributeNames(Map.of("#pk", TableLayout.GSI1_PK, "#sk", TableLayout.GSI1_SK))
                    .expressionAttributeValues(Map.of(":pk", s(partition), ":now", s(dueKey(now) + "#~")))
                    .limit(limit))).items();
            keys.forEach(k -> ids.add(k.get(TableLayout.PK).s().substring("DELIVERY#".length())));
        }
        return ids;
    }

    @Override
    public Optional<IdempotencyMarker> marker(String userId, String key) {
        Map<String, AttributeValue> item = StoreCalls.call(() -> dynamo.getItem(b -> b.tableName(table)
                .key(key(userPk(userId), IDEMPOTENCY_PREFIX + key)).consistentRead(true)).item());
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        IdempotencyMarker marker = toMarker(userId, key, item);
        return clock.instant().isBefore(marker.expiresAt()) ? Optional.of(marker) : Optional.empty();
    }

    /**
     * A marker item: the request's hash, its delivery, until when the first request may still be running, and
     * once it answered, the delivery as it answered it ({@code answer}: the delivery's attributes without its
     * content, keys or index attributes).
     */
    private Map<String, AttributeValue> markerItem(IdempotencyMarker m) {
        Map<String, AttributeValue> item = new HashMap<>(key(userPk(m.userId()), IDEMPOTENCY_PREFIX + m.key()));
        item.put("requestHash", s(m.requestHash()));
        item.put("deliveryId", s(m.deliveryId()));
        item.put(TableLayout.TTL, n(m.expiresAt().getEpochSecond()));
        putIfPresent(item, "inFlightUntil", m.inFlightUntil());
        m.firstAnswer().ifPresent(answer -> {
            Map<String, AttributeValue> snapshot = new HashMap<>(toItem(answer));
            List.of(TableLayout.PK, TableLayout.SK, TableLayout.TTL, TableLayout.GSI1_PK, TableLayout.GSI1_SK,
                    TableLayout.SES_MESSAGE_ID, "text", "html").forEach(snapshot::remove);
            item.put("answer", AttributeValue.fromM(snapshot));
        });
        return item;
    }

    private static IdempotencyMarker toMarker(String userId, String key, Map<String, AttributeValue> item) {
        Map<String, AttributeValue> answer = Items.map(item, "answer");
        return new IdempotencyMarker(userId, key, string(item, "requestHash"), string(item, "deliveryId"),
                Instant.ofEpochSecond(Items.number(item, TableLayout.TTL)), instant(item, "inFlightUntil"),
                answer == null ? null : toDelivery(answer));
    }

    /**
     * The due time as a sort key: zero-padded epoch milliseconds, so keys order as instants do
     * ({@code Instant.toString()} drops trailing zeros and would not).
     */
    static String dueKey(Instant at) {
        return String.format("%015d", at.toEpochMilli());
    }

    /** The index partition of a delivery's due retry. */
    static String retryShard(String deliveryId) {
        return "RETRY#" + Math.floorMod(deliveryId.hashCode(), RETRY_SHARDS);
    }

    private Map<String, AttributeValue> toItem(Delivery d) {
        Map<String, AttributeValue> item = new HashMap<>(key("DELIVERY#" + d.deliveryId(), SK));
        item.put("deliveryId", s(d.deliveryId()));
        item.put("owner", s(d.userId()));
        item.put("status", s(d.status().name()));
        item.put("channel", s(d.channel().name()));
        item.put("identityId", s(d.identityId()));
        putIfPresent(item, "fromName", d.fromName());
        item.put("fromAddress", s(d.fromAddress()));
        item.put("to", list(d.to()));
        item.put("cc", list(d.cc()));
        item.put("bcc", list(d.bcc()));
        putIfPresent(item, "replyTo", d.replyTo());
        item.put("subject", s(d.subject()));
        putIfPresent(item, "text", d.text());
        putIfPresent(item, "html", d.html());
        putIfPresent(item, "conversationId", d.conversationId());
        item.put("viaTag", AttributeValue.fromBool(d.viaTag()));
        item.put("bounceTracking", AttributeValue.fromBool(d.bounceTracking()));
        item.put("attempts", n(d.attempts()));
        putIfPresent(item, "nextAttemptAt", d.nextAttemptAt());
        putIfPresent(item, "lastError", d.lastError());
        List<AttributeValue> events = new ArrayList<>();
        for (DeliveryEvent event : d.events()) {
            Map<String, AttributeValue> m = new HashMap<>();
            m.put("type", s(event.type()));
            m.put("at", s(event.at().toString()));
            putIfPresent(m, "detail", event.detail());
            events.add(AttributeValue.fromM(m));
        }
        item.put("events", AttributeValue.fromL(events));
        item.put("createdAt", s(d.createdAt().toString()));
        putIfPresent(item, "messageId", d.messageId());
        putIfPresent(item, TableLayout.SES_MESSAGE_ID, d.sesMessageId());
        item.put("version", n(d.version()));
        // A failed delivery keeps its content for a manual retry, and so lives a shorter time.
        Instant expires = d.status() == DeliveryStatus.FAILED ? d.lastEventAt().plus(FAILED_RETENTION)
                : d.createdAt().plus(RETENTION);
        item.put(TableLayout.TTL, n(expires.getEpochSecond()));
        if (d.status() == DeliveryStatus.RETRY_SCHEDULED && d.nextAttemptAt() != null) {
            item.put(TableLayout.GSI1_PK, s(retryShard(d.deliveryId())));
            item.put(TableLayout.GSI1_SK, s(dueKey(d.nextAttemptAt()) + "#" + d.deliveryId()));
        }
        return item;
    }

    private static Delivery toDelivery(Map<String, AttributeValue> item) {
        List<DeliveryEvent> events = new ArrayList<>();
        AttributeValue stored = item.get("events");
        if (stored != null && stored.hasL()) {
            for (AttributeValue value : stored.l()) {
                Map<String, AttributeValue> m = value.m();
                events.add(new DeliveryEvent(string(m, "type"), instant(m, "at"), string(m, "detail")));
            }
        }
        return new Delivery(string(item, "deliveryId"), string(item, "owner"),
                Items.enumValue(item, "status", DeliveryStatus.class),
                Items.enumValue(item, "channel", ChannelType.class), string(item, "identityId"),
                string(item, "fromName"), string(item, "fromAddress"), strings(item, "to"), strings(item, "cc"),
                strings(item, "bcc"), string(item, "replyTo"), string(item, "subject"), string(item, "text"),
                string(item, "html"), string(item, "conversationId"), bool(item, "viaTag"),
                bool(item, "bounceTracking"), Items.integer(item, "attempts"), instant(item, "nextAttemptAt"),
                string(item, "lastError"), events, instant(item, "createdAt"), string(item, "messageId"),
                string(item, TableLayout.SES_MESSAGE_ID), Items.number(item, "version"));
    }

    private static AttributeValue list(List<String> values) {
        return AttributeValue.fromL(values.stream().map(AttributeValue::fromS).toList());
    }

    private static List<String> strings(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || !value.hasL() ? List.of() : value.l().stream().map(AttributeValue::s).toList();
    }

    private static boolean bool(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value != null && Boolean.TRUE.equals(value.bool());
    }
}
