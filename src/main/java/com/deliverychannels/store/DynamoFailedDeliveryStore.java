package com.deliverychannels.store;

import static com.deliverychannels.store.Items.enumValue;
import static com.deliverychannels.store.Items.instant;
import static com.deliverychannels.store.Items.key;
import static com.deliverychannels.store.Items.n;
import static com.deliverychannels.store.Items.putIfPresent;
import static com.deliverychannels.store.Items.s;
import static com.deliverychannels.store.Items.string;
import static com.deliverychannels.store.Items.userPk;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.deliverychannels.bounce.FailedDelivery;
import com.deliverychannels.bounce.FailedDeliveryPage;
import com.deliverychannels.bounce.FailedDeliveryStore;
import com.deliverychannels.bounce.FailureReason;
import com.deliverychannels.bounce.RetryState;
import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.config.TableConfig;
import com.deliverychannels.core.FieldError;
import com.deliverychannels.core.InvalidInputException;
import com.deliverychannels.core.SortableId;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * Failed deliveries under {@code USER#sub / FAILED#<id>}. Ids are time-ordered, so a descending query on
 * the sort key lists newest first; the cursor is the last id a page returned, so records that arrive
 * while a client pages land before its position and never shift what it has yet to read.
 */
@ApplicationScoped
public class DynamoFailedDeliveryStore implements FailedDeliveryStore {
    private static final String PREFIX = "FAILED#";
    private static final String CURSOR_VERSION = "f1:";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoFailedDeliveryStore(DynamoDbClient dynamo, TableConfig config) {
        this.dynamo = dynamo;
        this.table = config.table();
    }

    @Override
    public FailedDeliveryPage page(String userId, int limit, Optional<String> cursor) {
        QueryRequest.Builder query = QueryRequest.builder().tableName(table)
                .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                .expressionAttributeValues(Map.of(":pk", s(userPk(userId)), ":prefix", s(PREFIX)))
                .scanIndexForward(false)
                .limit(limit + 1); // one more than asked tells whether another page exists
        cursor.map(DynamoFailedDeliveryStore::decodeCursor)
                .ifPresent(after -> query.exclusiveStartKey(key(userPk(userId), PREFIX + after)));
        List<Map<String, AttributeValue>> items = StoreCalls.call(() -> dynamo.query(query.build())).items();
        List<FailedDelivery> page = items.stream().limit(limit).map(DynamoFailedDeliveryStore::toFailedDelivery).toList();
        String next = items.size() > limit ? encodeCursor(page.get(page.size() - 1).id()) : null;
        return new FailedDeliveryPage(page, next);
    }

    @Override
    public boolean dismiss(String userId, String failedDeliveryId) {
        return StoreCalls.conditionally(() -> dynamo.deleteItem(b -> b.tableName(table)
                .key(key(userPk(userId), PREFIX + failedDeliveryId))
                .conditionExpression("attribute_exists(pk)")));
    }

    @Override
    public void record(String userId, FailedDelivery failure) {
        Map<String, AttributeValue> item = toItem(userId, failure);
        StoreCalls.call(() -> dynamo.putItem(b -> b.tableName(table).item(item)));
    }

    /** The item of a failed delivery, for writes that record it with something else in one transaction. */
    Map<String, AttributeValue> toItem(String userId, FailedDelivery failure) {
        Map<String, AttributeValue> item = new HashMap<>(key(userPk(userId), PREFIX + failure.id()));
        item.put("id", s(failure.id()));
        item.put("deliveryId", s(failure.deliveryId()));
        item.put("recipient", s(failure.recipient()));
        putIfPresent(item, "subject", failure.subject());
        item.put("channel", s(failure.channel().name()));
        item.put("reason", s(failure.reason().name()));
        putIfPresent(item, "bounceType", failure.bounceType());
        putIfPresent(item, "bounceSubType", failure.bounceSubType());
        putIfPresent(item, "diagnostic", failure.diagnostic());
        item.put("occurredAt", s(failure.occurredAt().toString()));
        Map<String, AttributeValue> retry = new HashMap<>();
        retry.put("state", s(failure.retry().state().name()));
        retry.put("attempts", n(failure.retry().attempts()));
        putIfPresent(retry, "nextAttemptAt", failure.retry().nextAttemptAt());
        item.put("retry", AttributeValue.fromM(retry));
        return item;
    }

    private static FailedDelivery toFailedDelivery(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> retry = Items.map(item, "retry");
        return new FailedDelivery(string(item, "id"), string(item, "deliveryId"), string(item, "recipient"),
                string(item, "subject"), enumValue(item, "channel", ChannelType.class),
                enumValue(item, "reason", FailureReason.class), string(item, "bounceType"),
                string(item, "bounceSubType"), string(item, "diagnostic"), instant(item, "occurredAt"),
                new FailedDelivery.Retry(enumValue(retry, "state", RetryState.class), Items.integer(retry, "attempts"),
                        instant(retry, "nextAttemptAt")));
    }

    private static String encodeCursor(String id) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_VERSION + id).getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeCursor(String cursor) {
        String decoded;
        try {
            decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalidCursor();
        }
        if (!decoded.startsWith(CURSOR_VERSION) || !SortableId.isWellFormed(decoded.substring(CURSOR_VERSION.length()))) {
            throw invalidCursor();
        }
        return decoded.substring(CURSOR_VERSION.length());
    }

    private static InvalidInputException invalidCursor() {
        return new InvalidInputException(FieldError.of("cursor", "field.cursor"));
    }
}
