package com.deliverychannels.http;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import com.deliverychannels.core.FieldError;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * JSON in and out of the HTTP API. Reading is strict (CONTRACT §3: "no coercion: {@code 123} is not a
 * string"): unknown fields, wrong types, duplicate keys and trailing content are refused with the field
 * named, so a typo never passes silently. A value must have its own JSON type: no number or boolean where a
 * string belongs, no {@code "587"} for a number, no {@code 587.0} for an integer, no {@code "true"} or
 * {@code 1} for a boolean, no {@code ""} for anything but a string, no single value for a list. Instants are
 * written ISO-8601.
 */
@ApplicationScoped
public class JsonBodies {
    private final ObjectMapper mapper = strictMapper();

    private static ObjectMapper strictMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .disable(DeserializationFeature.UNWRAP_SINGLE_VALUE_ARRAYS)
                .disable(DeserializationFeature.ACCEPT_EMPTY_STRING_AS_NULL_OBJECT)
                .disable(DeserializationFeature.ACCEPT_EMPTY_ARRAY_AS_NULL_OBJECT)
                // Numbers, booleans and dates from strings and from each other: refused.
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .addModule(new SimpleModule("well-formed-strings")
                        .addDeserializer(String.class, new WellFormedStringDeserializer()))
                .build();
        // ALLOW_COERCION_OF_SCALARS leaves strings out: Jackson would still read 123, 1.5 and true as "123",
        // "1.5" and "true". Every scalar shape that is not a string is refused where a string belongs.
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyArray, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyObject, CoercionAction.Fail);
        // Said again for every other kind of target, rather than left to the feature flags' defaults: no
        // string, empty string, empty array or object stands in for a number, a boolean or a list. (An integer
        // where a decimal belongs is the same number, and a float where an integer belongs is refused by
        // ACCEPT_FLOAT_AS_INT above.)
        for (LogicalType type : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean,
                LogicalType.Enum, LogicalType.Collection, LogicalType.Array)) {
            mapper.coercionConfigFor(type)
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyArray, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyObject, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        return mapper;
    }

    /**
     * Reads the request body as {@code type}.
     *
     * @throws HttpProblem 400 when the body is missing, not JSON, or a field is unknown or of the wrong type;
     *                     415 when the body is declared as something other than JSON
     */
    public <T> T read(ApiRequest request, Class<T> type) {
        request.header("content-type").ifPresent(contentType -> {
            String mediaType = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
            if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
                throw new HttpProblem(Problem.UNSUPPORTED_MEDIA_TYPE, "problem.unsupported-media-type.detail");
            }
        });
        if (request.body() == null || request.body().isBlank()) {
            throw new HttpProblem(Problem.BAD_REQUEST, "problem.body.missing");
        }
        try {
            T value = mapper.readValue(request.body(), type);
            if (value == null) {
                throw new HttpProblem(Problem.BAD_REQUEST, "problem.body.missing");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw fieldProblem(e, "json.unknown-field");
        } catch (NotUnicodeTextException e) {
            throw e.getPath().isEmpty() ? new HttpProblem(Problem.BAD_REQUEST, "problem.body.malformed")
                    : fieldProblem(e, "json.invalid-unicode");
        } catch (MismatchedInputException e) {
            throw e.getPath().isEmpty()
                    ? new HttpProblem(Problem.BAD_REQUEST, "problem.body.not-an-object")
                    : fieldProblem(e, "json.wrong-type");
        } catch (JsonMappingException e) {
            throw e.getPath().isEmpty()
                    ? new HttpProblem(Problem.BAD_REQUEST, "problem.body.malformed")
                    : fieldProblem(e, "json.wrong-type");
        } catch (JsonProcessingException e) {
            // The parser's own message quotes the body; it is not passed on.
            throw new HttpProblem(Problem.BAD_REQUEST, "problem.body.malformed");
        }
    }

    /** Writes {@code value} as JSON. */
    public String write(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("answer not serialisable: " + value.getClass().getName(), e);
        }
    }

    private static HttpProblem fieldProblem(JsonMappingException e, String messageKey) {
        String field = path(e.getPath());
        return new HttpProblem(Problem.BAD_REQUEST, "problem.body.field",
                List.of(FieldError.of(field, messageKey)), field);
    }

    /**
     * Strings as Jackson reads them, refusing one that is not well-formed UTF-16: JSON's {@code \\uXXXX}
     * escapes can spell half a surrogate pair (RFC 8259 §8.2), which no UTF-8 header or body can carry and
     * which would reach a subject as {@code ?}.
     */
    static final class WellFormedStringDeserializer extends StringDeserializer {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String value = super.deserialize(p, ctxt);
            if (value != null && !isWellFormed(value)) {
                throw new NotUnicodeTextException(p);
            }
            return value;
        }

        private static boolean isWellFormed(String value) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (Character.isHighSurrogate(c)) {
                    if (i + 1 == value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                        return false;
                    }
                    i++;
                } else if (Character.isLowSurrogate(c)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A string that is no Unicode text (a lone surrogate): malformed input, not a value of the wrong type. */
    static final class NotUnicodeTextException extends MismatchedInputException {
        NotUnicodeTextException(JsonParser parser) {
            super(parser, "not Unicode text: an unpaired surrogate", String.class);
        }
    }

    /** The JSON path of a mapping failure: {@code to[2]}, {@code smtp.port}. */
    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : references) {
            if (reference.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }
}
