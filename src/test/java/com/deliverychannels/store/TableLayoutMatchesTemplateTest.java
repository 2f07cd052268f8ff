package com.deliverychannels.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;

/**
 * {@code infra/template.yaml} is the single source of the table's shape (CONTRACT §5); local runs and tests
 * create the table from {@link TableLayout}. This test keeps the two identical.
 */
class TableLayoutMatchesTemplateTest {
    private static JsonNode table;
    private static final CreateTableRequest CODE = TableLayout.createTableRequest("any");

    @BeforeAll
    static void readTemplate() throws IOException {
        JsonNode template = new ObjectMapper(new YAMLFactory()).readTree(Path.of("infra/template.yaml").toFile());
        JsonNode resources = template.get("Resources");
        JsonNode found = null;
        for (JsonNode resource : resources) {
            if ("AWS::DynamoDB::Table".equals(resource.path("Type").asText())) {
                assertEquals(null, found, "the template declares one table");
                found = resource.get("Properties");
            }
        }
        table = found;
        assertTrue(table != null, "the template declares the table");
    }

    @Test
    void attributeDefinitionsAreTheSame() {
        Map<String, String> template = new HashMap<>();
        table.get("AttributeDefinitions").forEach(a -> template.put(a.get("AttributeName").asText(),
                a.get("AttributeType").asText()));
        Map<String, String> code = new HashMap<>();
        CODE.attributeDefinitions().forEach(a -> code.put(a.attributeName(), a.attributeTypeAsString()));
        assertEquals(code, template);
    }

    @Test
    void primaryKeyIsTheSame() {
        assertEquals(keys(CODE.keySchema()), keys(table.get("KeySchema")));
    }

    @Test
    void globalSecondaryIndexesAreTheSame() {
        Map<String, String> template = new HashMap<>();
        table.get("GlobalSecondaryIndexes").forEach(index -> template.put(index.get("IndexName").asText(),
                keys(index.get("KeySchema")) + " " + index.get("Projection").get("ProjectionType").asText()));
        Map<String, String> code = new HashMap<>();
        for (GlobalSecondaryIndex index : CODE.globalSecondaryIndexes()) {
            code.put(index.indexName(), keys(index.keySchema()) + " " + index.projection().projectionTypeAsString());
        }
        assertEquals(code, template);
    }

    @Test
    void billingModeAndTimeToLiveAreTheSame() {
        assertEquals(CODE.billingModeAsString(), table.get("BillingMode").asText());
        assertEquals(TableLayout.TTL, table.get("TimeToLiveSpecification").get("AttributeName").asText());
        assertTrue(table.get("TimeToLiveSpecification").get("Enabled").asBoolean());
    }

    private static Set<String> keys(JsonNode schema) {
        Set<String> keys = new HashSet<>();
        schema.forEach(k -> keys.add(k.get("AttributeName").asText() + ":" + k.get("KeyType").asText()));
        return keys;
    }

    private static Set<String> keys(java.util.List<software.amazon.awssdk.services.dynamodb.model.KeySchemaElement> schema) {
        Set<String> keys = new HashSet<>();
        schema.forEach(k -> keys.add(k.attributeName() + ":" + k.keyTypeAsString()));
        return keys;
    }
}
