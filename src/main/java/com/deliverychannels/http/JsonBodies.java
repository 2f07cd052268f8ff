package com.deliverychannels.http;

import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import com.deliverychannels.core.FieldError;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * JSON in and out of the HTTP API. Reading is strict: unknown fields, wrong types (no coercion of
 * {@code "587"} to a number or {@code "true"} to a boolean), duplicate keys and trailing content are
 * refused with the field named, so a typo never passes silently. Instants are written ISO-8601.
 */
@ApplicationScoped
public class JsonBodies {
    private final ObjectMapper mapper = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

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
