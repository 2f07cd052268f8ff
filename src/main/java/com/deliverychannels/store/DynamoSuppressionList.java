package com.deliverychannels.store;

import static com.deliverychannels.store.Items.key;
import static com.deliverychannels.store.Items.s;
import static com.deliverychannels.store.Items.userPk;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.deliverychannels.bounce.FailureReason;
import com.deliverychannels.bounce.SuppressionList;
import com.deliverychannels.config.TableConfig;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/** Suppressed recipients under {@code USER#sub / SUPPRESSED#<lower-case address>}; one BatchGetItem per check. */
@ApplicationScoped
public class DynamoSuppressionList implements SuppressionList {
    private static final String PREFIX = "SUPPRESSED#";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoSuppressionList(DynamoDbClient dynamo, TableConfig config) {
        this.dynamo = dynamo;
        this.table = config.table();
    }

    @Override
    public Set<String> suppressed(String userId, Collection<String> addresses) {
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        for (String address : addresses) {
            byKey.computeIfAbsent(normalize(address), k -> new ArrayList<>()).add(address);
        }
        Set<String> found = new HashSet<>();
        List<Map<String, AttributeValue>> pending = new ArrayList<>();
        byKey.keySet().forEach(k -> pending.add(key(userPk(userId), PREFIX + k)));
        // BatchGetItem answers what it could and hands back the rest; ask again until nothing is left.
        for (int round = 0; !pending.isEmpty(); round++) {
            if (round > 5) {
                throw new com.deliverychannels.core.UnavailableException("problem.store.unavailable", null);
            }
            List<Map<String, AttributeValue>> ask = List.copyOf(pending);
            pending.clear();
            BatchGetItemResponse response = StoreCalls.call(() -> dynamo.batchGetItem(b -> b.requestItems(
                    Map.of(table, KeysAndAttributes.builder().keys(ask).consistentRead(true).build()))));
            response.responses().getOrDefault(table, List.of()).forEach(item ->
                    found.addAll(byKey.getOrDefault(item.get(TableLayout.SK).s().substring(PREFIX.length()), List.of())));
            KeysAndAttributes left = response.unprocessedKeys().get(table);
            if (left != null) {
                pending.addAll(left.keys());
            }
        }
        return found;
    }

    @Override
    public void suppress(String userId, String address, FailureReason reason, Instant at) {
        Map<String, AttributeValue> item = new HashMap<>(key(userPk(userId), PREFIX + normalize(address)));
        item.put("address", s(address));
        item.put("reason", s(reason.name()));
        item.put("suppressedAt", s(at.toString()));
        StoreCalls.call(() -> dynamo.putItem(b -> b.tableName(table).item(item)));
    }

    private static String normalize(String address) {
        return address.trim().toLowerCase(Locale.ROOT);
    }
}
