package com.deliverychannels.store;

import static com.deliverychannels.store.Items.key;
import static com.deliverychannels.store.Items.n;
import static com.deliverychannels.store.Items.s;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.deliverychannels.bounce.SnsMessageLedger;
import com.deliverychannels.config.TableConfig;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** SNS de-duplication markers under {@code SNS#<MessageId> / SNS}, expired by TTL a week after processing. */
@ApplicationScoped
public class DynamoSnsMessageLedger implements SnsMessageLedger {
    static final Duration KEPT = Duration.ofDays(7);
    private static final String SK = "SNS";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    public DynamoSnsMessageLedger(DynamoDbClient dynamo, TableConfig config, Clock clock) {
        this.dynamo = dynamo;
        this.table = config.table();
        this.clock = clock;
    }

    @Override
    public Claim claim(String messageId, Duration lease) {
        Instant now = clock.instant();
        Map<String, AttributeValue> item = new HashMap<>(key("SNS#" + messageId, SK));
        item.put("state", s("PROCESSING"));
        item.put("leaseUntil", n(now.plus(lease).toEpochMilli()));
        item.put(TableLayout.TTL, n(now.plus(KEPT).getEpochSecond()));
        boolean claimed = StoreCalls.conditionally(() -> dynamo.putItem(b -> b.tableName(table).item(item)
                .conditionExpression("attribute_not_exists(pk) OR (#state = :processing AND leaseUntil < :now)")
                .expressionAttributeNames(Map.of("#state", "state"))
                .expressionAttributeValues(Map.of(":processing", s("PROCESSING"), ":now", n(now.toEpochMilli())))));
        if (claimed) {
            return Claim.CLAIMED;
        }
        Map<String, AttributeValue> existing = StoreCalls.call(() -> dynamo.getItem(b -> b.tableName(table)
                .key(key("SNS#" + messageId, SK)).consistentRead(true)).item());
        return existing != null && "DONE".equals(Items.string(existing, "state")) ? Claim.DONE : Claim.IN_PROGRESS;
    }

    @Override
    public void done(String messageId) {
        StoreCalls.call(() -> dynamo.updateItem(b -> b.tableName(table).key(key("SNS#" + messageId, SK))
                .updateExpression("SET #state = :done, #ttl = :ttl REMOVE leaseUntil")
                .expressionAttributeNames(Map.of("#state", "state", "#ttl", TableLayout.TTL))
                .expressionAttributeValues(Map.of(":done", s("DONE"),
                        ":ttl", n(clock.instant().plus(KEPT).getEpochSecond())))));
    }

    @Override
    public void release(String messageId) {
        // False when someone completed it meanwhile: then there is nothing to give back.
        StoreCalls.conditionally(() -> dynamo.deleteItem(b -> b.tableName(table).key(key("SNS#" + messageId, SK))
                .conditionExpression("#state = :processing")
                .expressionAttributeNames(Map.of("#state", "state"))
                .expressionAttributeValues(Map.of(":processing", s("PROCESSING")))));
    }
}
