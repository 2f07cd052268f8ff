package com.deliverychannels.store;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;
import software.amazon.awssdk.services.dynamodb.model.UpdateTimeToLiveRequest;

/**
 * The single table's keys, indexes and TTL, as {@code infra/template.yaml} declares them
 * ({@code TableLayoutMatchesTemplateTest} keeps the two identical). The README lists the items and the
 * access patterns. The functions never create the table in AWS; local runs and tests do, from here.
 */
public final class TableLayout {
    public static final String PK = "pk";
    public static final String SK = "sk";
    /** Sparse: set only while a delivery waits for a retry. */
    public static final String GSI1 = "gsi1";
    public static final String GSI1_PK = "gsi1pk";
    public static final String GSI1_SK = "gsi1sk";
    /** Sparse: set once an MSC send has an SES message id. */
    public static final String BY_SES_MESSAGE_ID = "bySesMessageId";
    public static final String SES_MESSAGE_ID = "sesMessageId";
    /** Epoch seconds after which DynamoDB deletes the item. */
    public static final String TTL = "expiresAt";

    private TableLayout() {
    }

    /** The request that creates the table as the template declares it. */
    public static CreateTableRequest createTableRequest(String tableName) {
        return CreateTableRequest.builder()
                .tableName(tableName)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        stringAttribute(PK), stringAttribute(SK),
                        stringAttribute(GSI1_PK), stringAttribute(GSI1_SK),
                        stringAttribute(SES_MESSAGE_ID))
                .keySchema(key(PK, KeyType.HASH), key(SK, KeyType.RANGE))
                .globalSecondaryIndexes(
                        GlobalSecondaryIndex.builder()
                                .indexName(GSI1)
                                .keySchema(key(GSI1_PK, KeyType.HASH), key(GSI1_SK, KeyType.RANGE))
                                .projection(Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build())
                                .build(),
                        GlobalSecondaryIndex.builder()
                                .indexName(BY_SES_MESSAGE_ID)
                                .keySchema(key(SES_MESSAGE_ID, KeyType.HASH))
                                .projection(Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build())
                                .build())
                .build();
    }

    /** Creates the table with its TTL unless it exists already (local runs and tests only). */
    public static void createIfAbsent(DynamoDbClient dynamo, String tableName) {
        try {
            dynamo.createTable(createTableRequest(tableName));
        } catch (ResourceInUseException alreadyThere) {
            return;
        }
        dynamo.updateTimeToLive(UpdateTimeToLiveRequest.builder()
                .tableName(tableName)
                .timeToLiveSpecification(TimeToLiveSpecification.builder().attributeName(TTL).enabled(true).build())
                .build());
    }

    private static AttributeDefinition stringAttribute(String name) {
        return AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S).build();
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }
}
