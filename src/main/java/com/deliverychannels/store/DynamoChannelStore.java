package com.deliverychannels.store;

import static com.deliverychannels.store.Items.enumValue;
import static com.deliverychannels.store.Items.instant;
import static com.deliverychannels.store.Items.key;
import static com.deliverychannels.store.Items.n;
import static com.deliverychannels.store.Items.putIfPresent;
import static com.deliverychannels.store.Items.s;
import static com.deliverychannels.store.Items.string;
import static com.deliverychannels.store.Items.userPk;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.deliverychannels.channel.ChannelSettings;
import com.deliverychannels.channel.ChannelStore;
import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.channel.GmailConnection;
import com.deliverychannels.channel.GmailStatus;
import com.deliverychannels.channel.Identity;
import com.deliverychannels.channel.SmtpAuthMethod;
import com.deliverychannels.channel.SmtpSecurity;
import com.deliverychannels.channel.SmtpSettings;
import com.deliverychannels.channel.SmtpStatus;
import com.deliverychannels.config.TableConfig;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * Channel settings ({@code USER#sub / SETTINGS}) and identities ({@code USER#sub / IDENTITY#id}). The
 * settings item carries {@code version}; every write is conditional on it, identity writes included, in
 * one transaction with the settings (which name the default identity).
 */
@ApplicationScoped
public class DynamoChannelStore implements ChannelStore {
    private static final String SETTINGS = "SETTINGS";
    static final String IDENTITY_PREFIX = "IDENTITY#";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoChannelStore(DynamoDbClient dynamo, TableConfig config) {
        this.dynamo = dynamo;
        this.table = config.table();
    }

    @Override
    public ChannelSettings settings(String userId) {
        Map<String, AttributeValue> item = StoreCalls.call(() -> dynamo.getItem(b -> b
                .tableName(table).key(key(userPk(userId), SETTINGS)).consistentRead(true)).item());
        return item == null || item.isEmpty() ? ChannelSettings.initial() : toSettings(item);
    }

    @Override
    public boolean replaceSettings(String userId, ChannelSettings next, long expectedVersion) {
        Put put = settingsPut(userId, next, expectedVersion);
        return StoreCalls.conditionally(() -> dynamo.putItem(PutItemRequest.builder().tableName(put.tableName())
                .item(put.item())
                .conditionExpression(put.conditionExpression())
                .expressionAttributeNames(put.expressionAttributeNames())
                .expressionAttributeValues(put.expressionAttributeValues()).build()));
    }

    @Override
    public Optional<Identity> identity(String userId, String identityId) {
        Map<String, AttributeValue> item = StoreCalls.call(() -> dynamo.getItem(b -> b
                .tableName(table).key(key(userPk(userId), IDENTITY_PREFIX + identityId))).item());
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toIdentity(item));
    }

    @Override
    public List<Identity> identities(String userId) {
        List<Identity> identities = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder query = QueryRequest.builder().tableName(table)
                    .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":pk", s(userPk(userId)), ":prefix", s(IDENTITY_PREFIX)))
                    .consistentRead(true);
            if (start != null) {
                query.exclusiveStartKey(start);
            }
            QueryResponse page = StoreCalls.call(() -> dynamo.query(query.build()));
            page.items().forEach(item -> identities.add(toIdentity(item)));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return identities; // identity ids are time-ordered: key order is creation order
    }

    @Override
    public boolean saveIdentity(String userId, Identity identity, boolean created, ChannelSettings next,
            long expectedVersion) {
        Map<String, AttributeValue> item = new HashMap<>(key(userPk(userId), IDENTITY_PREFIX + identity.id()));
        item.put("id", s(identity.id()));
        item.put("name", s(identity.name()));
        item.put("address", s(identity.address()));
        item.put("createdAt", s(identity.createdAt().toString()));
        Put put = Put.builder().tableName(table).item(item)
                .conditionExpression(created ? "attribute_not_exists(pk)" : "attribute_exists(pk)").build();
        return transact(TransactWriteItem.builder().put(put).build(),
                TransactWriteItem.builder().put(settingsPut(userId, next, expectedVersion)).build());
    }

    @Override
    public boolean deleteIdentity(String userId, String identityId, ChannelSettings next, long expectedVersion) {
        Delete delete = Delete.builder().tableName(table).key(key(userPk(userId), IDENTITY_PREFIX + identityId))
                .conditionExpression("attribute_exists(pk)").build();
        return transact(TransactWriteItem.builder().delete(delete).build(),
                TransactWriteItem.builder().put(settingsPut(userId, next, expectedVersion)).build());
    }

    private boolean transact(TransactWriteItem... items) {
        return StoreCalls.conditionally(() -> dynamo.transactWriteItems(b -> b.transactItems(items)));
    }

    private Put settingsPut(String userId, ChannelSettings settings, long expectedVersion) {
        Map<String, AttributeValue> item = new HashMap<>(key(userPk(userId), SETTINGS));
        item.put("active", s(settings.active().name()));
        item.put("version", n(settings.version()));
        putIfPresent(item, "updatedAt", settings.updatedAt());
        putIfPresent(item, "defaultIdentityId", settings.defaultIdentityId());
        if (settings.smtp() != null) {
            SmtpSettings smtp = settings.smtp();
            Map<String, AttributeValue> m = new HashMap<>();
            m.put("host", s(smtp.host()));
            m.put("port", n(smtp.port()));
            m.put("security", s(smtp.security().name()));
            m.put("username", s(smtp.username()));
            m.put("password", s(smtp.sealedPassword()));
            m.put("authMethod", s(smtp.authMethod().name()));
            m.put("status", s(smtp.status().name()));
            m.put("updatedAt", s(smtp.updatedAt().toString()));
            item.put("smtp", AttributeValue.fromM(m));
        }
        if (settings.gmail() != null) {
            GmailConnection gmail = settings.gmail();
            Map<String, AttributeValue> m = new HashMap<>();
            m.put("address", s(gmail.address()));
            m.put("refreshToken", s(gmail.sealedRefreshToken()));
            m.put("status", s(gmail.status().name()));
            m.put("connectedAt", s(gmail.connectedAt().toString()));
            item.put("gmail", AttributeValue.fromM(m));
        }
        // A user's first write finds no item; every later one must find the version it read.
        Put.Builder put = Put.builder().tableName(table).item(item)
                .conditionExpression("attribute_not_exists(pk) OR #version = :expected")
                .expressionAttributeNames(Map.of("#version", "version"))
                .expressionAttributeValues(Map.of(":expected", n(expectedVersion)));
        if (expectedVersion != 0) {
            put.conditionExpression("#version = :expected");
        }
        return put.build();
    }

    private static ChannelSettings toSettings(Map<String, AttributeValue> item) {
        SmtpSettings smtp = null;
        Map<String, AttributeValue> m = Items.map(item, "smtp");
        if (m != null) {
            smtp = new SmtpSettings(string(m, "host"), Items.integer(m, "port"),
                    enumValue(m, "security", SmtpSecurity.class), string(m, "username"), string(m, "password"),
                    enumValue(m, "authMethod", SmtpAuthMethod.class), enumValue(m, "status", SmtpStatus.class),
                    instant(m, "updatedAt"));
        }
        GmailConnection gmail = null;
        Map<String, AttributeValue> g = Items.map(item, "gmail");
        if (g != null) {
            gmail = new GmailConnection(string(g, "address"), string(g, "refreshToken"),
                    enumValue(g, "status", GmailStatus.class), instant(g, "connectedAt"));
        }
        return new ChannelSettings(enumValue(item, "active", ChannelType.class), string(item, "defaultIdentityId"),
                smtp, gmail, Items.number(item, "version"), instant(item, "updatedAt"));
    }

    static Identity toIdentity(Map<String, AttributeValue> item) {
        return new Identity(string(item, "id"), string(item, "name"), string(item, "address"),
                instant(item, "createdAt"));
    }
}
