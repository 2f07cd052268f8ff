package com.deliverychannels.testing.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.deliverychannels.local.EmbeddedDynamoDb;
import com.deliverychannels.store.TableLayout;
import com.deliverychannels.testing.DynamoDbLocalResource;
import com.deliverychannels.testing.aws.IamPolicy.Decision;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * The real SDK client, through {@link AwsPolicyProxy}, to DynamoDB Local: allowed calls behave as without the
 * proxy, a call the policy does not allow fails as DynamoDB fails it, and injected faults reach the SDK as the
 * exceptions DynamoDB's answers would raise.
 */
class AwsPolicyProxyTest {
    private static final String TABLE = "policy-proxy-test";
    private static final String TABLE_ARN = AwsAccount.TEST.tableArn(TABLE);
    private static final String PRINCIPAL = AwsAccount.TEST.assumedRole("stack-RetryFunctionRole-X", "stack-retry");

    private static EmbeddedDynamoDb dynamoDbLocal;
    private static DynamoDbClient direct;
    private AwsPolicyProxy proxy;
    private DynamoDbClient client;

    @BeforeAll
    static void startDynamoDbLocal() {
        dynamoDbLocal = EmbeddedDynamoDb.start(DynamoDbLocalResource.freePort());
        direct = client(dynamoDbLocal.endpoint());
        TableLayout.createIfAbsent(direct, TABLE);
    }

    @AfterAll
    static void stopDynamoDbLocal() {
        direct.close();
        dynamoDbLocal.close();
    }

    @AfterEach
    void stopProxy() {
        if (client != null) {
            client.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void allowedCallsReachDynamoDbLocalAndAreRecorded() {
        through(IamPolicy.of(IamStatement.allow(List.of("dynamodb:PutItem", "dynamodb:GetItem"), List.of(TABLE_ARN))));
        Map<String, AttributeValue> key = key();

        client.putItem(b -> b.tableName(TABLE).item(item(key, "hello")));
        Map<String, AttributeValue> read = client.getItem(b -> b.tableName(TABLE).key(key).consistentRead(true)).item();

        assertEquals("hello", read.get("text").s());
        assertEquals(List.of(new Authorization("PutItem", "dynamodb:PutItem", TABLE_ARN, Decision.ALLOWED),
                new Authorization("GetItem", "dynamodb:GetItem", TABLE_ARN, Decision.ALLOWED)), proxy.used());
    }

    @Test
    void dynamoDbsOwnErrorsPassThroughUnchanged() {
        through(IamPolicy.allowAll());
        Map<String, AttributeValue> key = key();
        client.putItem(b -> b.tableName(TABLE).item(item(key, "first")));

        assertThrows(ConditionalCheckFailedException.class, () -> client.putItem(b -> b.tableName(TABLE)
                .item(item(key, "second")).conditionExpression("attribute_not_exists(pk)")));
    }

    @Test
    void aCallNoStatementAllowsFailsWithDynamoDbsAccessDenied() {
        through(IamPolicy.of(IamStatement.allow(List.of("dynamodb:GetItem", "dynamodb:PutItem"), List.of(TABLE_ARN))));

        DynamoDbException denied = assertThrows(DynamoDbException.class, () -> client.batchGetItem(b -> b.requestItems(
                Map.of(TABLE, KeysAndAttributes.builder().keys(key()).build()))));

        assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
        assertEquals(400, denied.statusCode());
        assertEquals("User: " + PRINCIPAL + " is not authorized to perform: dynamodb:BatchGetItem on resource: "
                + TABLE_ARN + " because no identity-based policy allows the dynamodb:BatchGetItem action",
                denied.awsErrorDetails().errorMessage());
        assertEquals(List.of(new Authorization("BatchGetItem", "dynamodb:BatchGetItem", TABLE_ARN,
                Decision.IMPLICITLY_DENIED)), proxy.used());
    }

    @Test
    void anExplicitDenyIsNamedAsSuch() {
        through(IamPolicy.of(IamStatement.allow(List.of("dynamodb:*"), List.of("*")),
                IamStatement.deny(List.of("dynamodb:DeleteItem"), List.of(TABLE_ARN))));

        DynamoDbException denied = assertThrows(DynamoDbException.class,
                () -> client.deleteItem(b -> b.tableName(TABLE).key(key())));

        assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
        assertTrue(denied.awsErrorDetails().errorMessage().endsWith(
                "dynamodb:DeleteItem on resource: " + TABLE_ARN + " with an explicit deny in an identity-based policy"),
                denied.awsErrorDetails().errorMessage());
    }

    @Test
    void aQueryOnAnIndexNeedsTheIndexAsResource() {
        through(IamPolicy.of(IamStatement.allow(List.of("dynamodb:Query"), List.of(TABLE_ARN))));
        Map<String, AttributeValue> partition = Map.of(":pk", AttributeValue.fromS("RETRY#0"));

        client.query(b -> b.tableName(TABLE).keyConditionExpression("pk = :pk").expressionAttributeValues(partition));
        DynamoDbException denied = assertThrows(DynamoDbException.class, () -> client.query(b -> b.tableName(TABLE)
                .indexName(TableLayout.GSI1).keyConditionExpression("gsi1pk = :pk").expressionAttributeValues(partition)));

        assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
        assertEquals(new Authorization("Query", "dynamodb:Query", TABLE_ARN + "/index/gsi1", Decision.IMPLICITLY_DENIED),
                proxy.used().get(1));
    }

    @Test
    void aTransactionIsAuthorizedItemByItemAndOneUnallowedActionDeniesIt() {
        through(IamPolicy.of(IamStatement.allow(List.of("dynamodb:PutItem", "dynamodb:GetItem"), List.of(TABLE_ARN))));
        Map<String, AttributeValue> written = key();
        Map<String, AttributeValue> deleted = key();

        DynamoDbException denied = assertThrows(DynamoDbException.class, () -> client.transactWriteItems(b -> b
                .transactItems(TransactWriteItem.builder().put(Put.builder().tableName(TABLE).item(item(written, "x"))
                                .build()).build(),
                        TransactWriteItem.builder().delete(Delete.builder().tableName(TABLE).key(deleted).build())
                                .build())));

        assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
        assertTrue(denied.awsErrorDetails().errorMessage().contains("perform: dynamodb:DeleteItem on resource: "),
                denied.awsErrorDetails().errorMessage());
        assertFalse(direct.getItem(b -> b.tableName(TABLE).key(written).consistentRead(true)).hasItem(),
                "nothing of a denied transaction is written");
        assertEquals(List.of("dynamodb:PutItem ALLOWED", "dynamodb:DeleteItem IMPLICITLY_DENIED"),
                proxy.used().stream().map(a -> a.action() + " " + a.decision()).toList());

        client.transactWriteItems(b -> b.transactItems(TransactWriteItem.builder()
                .put(Put.builder().tableName(TABLE).item(item(written, "x")).build()).build()));
        assertTrue(direct.getItem(b -> b.tableName(TABLE).key(written).consistentRead(true)).hasItem(),
                "a transaction of allowed item actions goes through");
    }

    @Test
    void anInjectedFaultReachesTheSdkAsItsTypedExceptionAndOnlyForTheCallsAskedFor() {
        through(IamPolicy.allowAll());
        proxy.injectFault("BatchGetItem", 400, "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
                "Requested resource not found", 1);
        Map<String, KeysAndAttributes> request = Map.of(TABLE, KeysAndAttributes.builder().keys(key()).build());

        ResourceNotFoundException missing = assertThrows(ResourceNotFoundException.class,
                () -> client.batchGetItem(b -> b.requestItems(request)));
        assertEquals("Requested resource not found", missing.awsErrorDetails().errorMessage());
        client.getItem(b -> b.tableName(TABLE).key(key()));
        client.batchGetItem(b -> b.requestItems(request));

        proxy.rejectCredentials("*", 1);
        DynamoDbException rejected = assertThrows(DynamoDbException.class,
                () -> client.getItem(b -> b.tableName(TABLE).key(key())));
        assertEquals("UnrecognizedClientException", rejected.awsErrorDetails().errorCode());
        assertEquals("The security token included in the request is invalid.",
                rejected.awsErrorDetails().errorMessage());
    }

    @Test
    void theSdkRetriesAnInjectedThrottleByItselfAndClearedFaultsAreGone() {
        through(IamPolicy.allowAll());
        proxy.injectFault("GetItem", 400, "com.amazonaws.dynamodb.v20120810#ThrottlingException",
                "Rate of requests exceeds the allowed throughput.", 1);

        client.getItem(b -> b.tableName(TABLE).key(key()));

        proxy.injectFault("GetItem", 400, "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "gone", 5);
        proxy.clearFaults();
        client.getItem(b -> b.tableName(TABLE).key(key()));
        assertEquals(2, proxy.used().size(), "a faulted call is neither authorized nor forwarded: " + proxy.used());
    }

    private void through(IamPolicy policy) {
        proxy = AwsPolicyProxy.start(dynamoDbLocal.endpoint(), policy, AwsAccount.TEST, PRINCIPAL);
        client = client(proxy.endpoint());
    }

    private static DynamoDbClient client(String endpoint) {
        return DynamoDbClient.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    private static Map<String, AttributeValue> key() {
        return Map.of(TableLayout.PK, AttributeValue.fromS("TEST#" + UUID.randomUUID()),
                TableLayout.SK, AttributeValue.fromS("ITEM"));
    }

    private static Map<String, AttributeValue> item(Map<String, AttributeValue> key, String text) {
        Map<String, AttributeValue> item = new java.util.HashMap<>(key);
        item.put("text", AttributeValue.fromS(text));
        return item;
    }
}
