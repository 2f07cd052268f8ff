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
        Map<String, List<String>> bySortKey = sortKeys(addresses);
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        bySortKey.keySet().forEach(sortKey -> keys.add(key(userPk(userId), sortKey)));
        return addressesOf(StoreCalls.batchGet(dynamo, table, keys), bySortKey);
    }

    /** The sort keys of the suppression items for {@code addresses}, each with the addresses (as given) it is for. */
    static Map<String, List<String>> sortKeys(Collection<String> addresses) {
        Map<String, List<String>> bySortKey = new LinkedHashMap<>();
        for (String address : addresses) {
            bySortKey.computeIfAbsent(PREFIX + normalize(address), k -> new ArrayList<>()).add(address);
        }
        return bySortKey;
    }

    /** The addresses (as given to {@link #sortKeys}) whose suppression items are among {@code items}. */
    static Set<String> addressesOf(List<Map<String, AttributeValue>> items, Map<String, List<String>> bySortKey) {
        Set<String> found = new HashSet<>();
        items.forEach(item -> found.addAll(bySortKey.getOrDefault(item.get(TableLayout.SK).s(), List.of())));
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
