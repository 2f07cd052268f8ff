package com.deliverychannels.store;

import static com.deliverychannels.store.Items.key;
import static com.deliverychannels.store.Items.userPk;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.deliverychannels.channel.Identity;
import com.deliverychannels.config.TableConfig;
import com.deliverychannels.delivery.SenderLookup;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The identity and the recipients' suppression items live in the user's partition, so one BatchGetItem
 * (strongly consistent: an identity created a moment ago is found) reads them all: at most 51 keys, a send
 * having at most 50 recipients, within the call's 100.
 */
@ApplicationScoped
public class DynamoSenderLookup implements SenderLookup {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoSenderLookup(DynamoDbClient dynamo, TableConfig config) {
        this.dynamo = dynamo;
        this.table = config.table();
    }

    @Override
    public Sender lookup(String userId, String identityId, Collection<String> recipients) {
        Map<String, List<String>> suppressionKeys = DynamoSuppressionList.sortKeys(recipients);
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        String identityKey = DynamoChannelStore.IDENTITY_PREFIX + identityId;
        keys.add(key(userPk(userId), identityKey));
        suppressionKeys.keySet().forEach(sortKey -> keys.add(key(userPk(userId), sortKey)));
        List<Map<String, AttributeValue>> items = StoreCalls.batchGet(dynamo, table, keys);
        Optional<Identity> identity = items.stream()
                .filter(item -> item.get(TableLayout.SK).s().equals(identityKey))
                .findFirst()
                .map(DynamoChannelStore::toIdentity);
        return new Sender(identity, DynamoSuppressionList.addressesOf(items, suppressionKeys));
    }
}
