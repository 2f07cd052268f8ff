package com.deliverychannels.testing.aws;

import java.io.IOException;
import java.nio.file.Path;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

/**
 * Reads a CloudFormation YAML template with its short-form intrinsics in their long form, as CloudFormation
 * does: {@code !Ref X} becomes {@code {"Ref": "X"}}, {@code !GetAtt A.B} becomes {@code {"Fn::GetAtt": ["A", "B"]}},
 * {@code !Sub s} becomes {@code {"Fn::Sub": "s"}}. (Jackson alone would drop the tags and leave {@code "X"},
 * indistinguishable from a literal.)
 */
public final class CloudFormationYaml {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private CloudFormationYaml() {
    }

    /** The template in {@code file}, intrinsics in their long form. */
    public static JsonNode read(Path file) throws IOException {
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
            parser.nextToken();
            return value(parser);
        }
    }

    private static JsonNode value(YAMLParser parser) throws IOException {
        String tag = parser.getTypeId(); // the tag of the value the parser stands on
        JsonNode value;
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            ObjectNode object = NODES.objectNode();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                object.set(name, value(parser));
            }
            value = object;
        } else if (token == JsonToken.START_ARRAY) {
            ArrayNode array = NODES.arrayNode();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                array.add(value(parser));
            }
            value = array;
        } else if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
            value = NODES.numberNode(parser.getDecimalValue());
        } else if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
            value = NODES.booleanNode(token == JsonToken.VALUE_TRUE);
        } else if (token == JsonToken.VALUE_NULL) {
            value = NODES.nullNode();
        } else {
            value = NODES.textNode(parser.getText());
        }
        return tag == null || tag.isEmpty() ? value : intrinsic(tag, value);
    }

    private static JsonNode intrinsic(String tag, JsonNode value) {
        ObjectNode longForm = NODES.objectNode();
        switch (tag) {
            case "Ref", "Condition" -> longForm.set(tag, value);
            case "GetAtt" -> {
                if (value.isTextual()) {
                    String[] parts = value.asText().split("\\.", 2);
                    longForm.set("Fn::GetAtt", NODES.arrayNode().add(parts[0]).add(parts[1]));
                } else {
                    longForm.set("Fn::GetAtt", value);
                }
            }
            default -> longForm.set("Fn::" + tag, value);
        }
        return longForm;
    }
}
