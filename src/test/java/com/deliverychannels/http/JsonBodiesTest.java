package com.deliverychannels.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.deliverychannels.core.FieldError;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * CONTRACT §3: a wrong JSON type is a 400 naming the field, never coerced. The cases are generated from the
 * components of every request record the routers read ({@link ChannelsJson} and {@link SendJson}), so a new
 * request or field is covered without a new test.
 */
class JsonBodiesTest {
    private final JsonBodies json = new JsonBodies();

    /** Every JSON value that is not a string. */
    private static final List<String> NOT_A_STRING = List.of("123", "-1", "0", "1.5", "1e3", "true", "false", "{}",
            "{\"a\":\"b\"}", "[]", "[\"x\"]");
    /** Every JSON value that is not an integer. */
    private static final List<String> NOT_AN_INTEGER = List.of("\"587\"", "\"\"", "\" \"", "\"0x24B\"", "587.0",
            "587.5", "5.87e2", "true", "false", "{}", "[]", "[587]", "99999999999", "-99999999999");
    /** Every JSON value that is not a boolean. */
    private static final List<String> NOT_A_BOOLEAN = List.of("\"true\"", "\"false\"", "\"\"", "\"yes\"", "1", "0",
            "1.0", "{}", "[]", "[true]");
    /** Every JSON value that is not a list of strings, or a list holding something else. */
    private static final List<String> NOT_A_LIST_OF_STRINGS = List.of("\"bob@example.org\"", "\"\"", "1", "true",
            "{}", "{\"0\":\"bob@example.org\"}", "[1]", "[1.5]", "[true]", "[{}]", "[[\"bob@example.org\"]]",
            "[\"bob@example.org\", 2]");

    static Stream<Arguments> wrongTypes() {
        List<Arguments> cases = new ArrayList<>();
        for (Class<?> request : requestRecords()) {
            for (RecordComponent component : request.getRecordComponents()) {
                for (String wrong : wrongValuesFor(component.getGenericType())) {
                    cases.add(Arguments.of(request.getSimpleName(), jsonName(component), wrong, request));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}.{1} = {2}")
    @MethodSource("wrongTypes")
    void wrongTypeIsRefusedNamingTheField(String record, String field, String value, Class<?> type) {
        HttpProblem refused = assertThrows(HttpProblem.class, () -> read("{\"" + field + "\": " + value + "}", type));

        assertEquals(Problem.BAD_REQUEST, refused.problem());
        assertEquals(1, refused.errors().size(), refused.errors().toString());
        String named = refused.errors().get(0).field();
        assertTrue(named.equals(field) || named.startsWith(field + "["), "named " + named + ", not " + field);
        assertEquals("json.wrong-type", refused.errors().get(0).messageKey());
    }

    static Stream<Arguments> requestTypes() {
        return requestRecords().stream().map(type -> Arguments.of(type.getSimpleName(), type));
    }

    /** The cases above would pass for a mapper that refused everything: each record reads its right types. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("requestTypes")
    void everyRequestReadsValuesOfTheRightType(String record, Class<?> type) throws Exception {
        String body = Arrays.stream(type.getRecordComponents())
                .map(c -> "\"" + jsonName(c) + "\": " + rightValueFor(c.getGenericType()))
                .collect(Collectors.joining(", ", "{", "}"));

        Object read = read(body, type);

        for (RecordComponent component : type.getRecordComponents()) {
            assertNotNull(component.getAccessor().invoke(read), component.getName());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requestTypes")
    void nullIsAnAbsentValueNotAWrongType(String record, Class<?> type) throws Exception {
        // Every request field is optional in JSON's terms (the rules then say which are required: 422).
        String body = Arrays.stream(type.getRecordComponents()).map(c -> "\"" + jsonName(c) + "\": null")
                .collect(Collectors.joining(", ", "{", "}"));

        Object read = read(body, type);

        for (RecordComponent component : type.getRecordComponents()) {
            assertEquals(null, component.getAccessor().invoke(read), component.getName());
        }
    }

    /** A record with primitives, decimals and lists: the mapper's rules, beyond today's request fields. */
    record Probe(int count, boolean flag, double ratio, String name, List<String> tags) {
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"count\": null}", "{\"flag\": null}", "{\"ratio\": null}",
            "{\"count\": \"1\"}", "{\"count\": 1.0}", "{\"count\": true}", "{\"count\": \"\"}",
            "{\"flag\": \"true\"}", "{\"flag\": 1}", "{\"flag\": \"\"}",
            "{\"ratio\": \"0.5\"}", "{\"ratio\": true}", "{\"ratio\": \"\"}",
            "{\"name\": 1}", "{\"name\": 0.5}", "{\"name\": false}",
            "{\"tags\": \"a\"}", "{\"tags\": [1]}", "{\"tags\": [false]}", "{\"tags\": \"\"}"
    })
    void primitivesListsAndDecimalsAreNotCoercedEither(String body) {
        HttpProblem refused = assertThrows(HttpProblem.class, () -> read(body, Probe.class));

        assertEquals(Problem.BAD_REQUEST, refused.problem());
        String field = body.substring(2, body.indexOf('"', 2));
        assertTrue(refused.errors().get(0).field().startsWith(field), refused.errors().toString());
    }

    @Test
    void anIntegerIsADecimalNumber() {
        Probe probe = read("{\"count\": 2, \"flag\": true, \"ratio\": 1, \"name\": \"n\", \"tags\": []}", Probe.class);

        assertEquals(1.0, probe.ratio());
    }

    @Test
    void aLoneSurrogateEscapeIsRefusedNamingTheField() {
        HttpProblem refused = assertThrows(HttpProblem.class,
                () -> read("{\"to\": [\"bob@example.org\"], \"subject\": \"Hi \\ud800 there\"}",
                        SendJson.MessageRequest.class));

        assertEquals(Problem.BAD_REQUEST, refused.problem());
        assertEquals(List.of(FieldError.of("subject", "json.invalid-unicode")), refused.errors());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[\"\\udc00@example.org\"]", "[\"bob@example.org\", \"x\\ud83d\"]"})
    void aLoneSurrogateInAListNamesTheElement(String to) {
        HttpProblem refused = assertThrows(HttpProblem.class,
                () -> read("{\"to\": " + to + "}", SendJson.MessageRequest.class));

        assertTrue(refused.errors().get(0).field().startsWith("to["), refused.errors().toString());
        assertEquals("json.invalid-unicode", refused.errors().get(0).messageKey());
    }

    @Test
    void aSurrogatePairEscapeIsText() {
        SendJson.MessageRequest read = read("{\"subject\": \"Deal \\ud83e\\udd1d\"}", SendJson.MessageRequest.class);

        assertEquals("Deal \uD83E\uDD1D", read.subject());
    }

    @Test
    void theRequestRecordsAreFound() {
        List<String> names = requestRecords().stream().map(Class::getSimpleName).toList();

        assertTrue(names.containsAll(List.of("ActiveChannelRequest", "SmtpSettingsRequest", "IdentityRequest",
                "GmailConnectRequest", "MessageRequest")), names.toString());
        assertFalse(names.isEmpty());
    }

    private <T> T read(String body, Class<T> type) {
        ApiRequest request = new ApiRequest("PUT", "/v1/anything", Map.of(), Map.of(),
                Map.of("content-type", "application/json"), body, Optional.of("user-1"), Locale.ENGLISH);
        return json.read(request, type);
    }

    /** The request bodies: the records of the JSON classes whose names end in {@code Request}. */
    private static List<Class<?>> requestRecords() {
        return Stream.of(ChannelsJson.class, SendJson.class)
                .flatMap(holder -> Arrays.stream(holder.getDeclaredClasses()))
                .filter(Class::isRecord)
                .filter(type -> type.getSimpleName().endsWith("Request"))
                .<Class<?>>map(type -> type)
                .toList();
    }

    private static String jsonName(RecordComponent component) {
        JsonProperty property = component.getAnnotation(JsonProperty.class);
        if (property == null) {
            // The annotation may sit on the constructor parameter only.
            property = Arrays.stream(component.getDeclaringRecord().getDeclaredConstructors())
                    .filter(c -> c.getParameterCount() == component.getDeclaringRecord().getRecordComponents().length)
                    .flatMap(c -> Arrays.stream(c.getParameters()))
                    .filter(p -> p.getName().equals(component.getName()))
                    .map(p -> p.getAnnotation(JsonProperty.class))
                    .filter(java.util.Objects::nonNull)
                    .findFirst().orElse(null);
        }
        return property == null || property.value().isEmpty() ? component.getName() : property.value();
    }

    private static List<String> wrongValuesFor(Type type) {
        if (type == String.class) {
            return NOT_A_STRING;
        }
        if (type == Integer.class || type == Long.class) {
            return NOT_AN_INTEGER;
        }
        if (type == Boolean.class) {
            return NOT_A_BOOLEAN;
        }
        if (isListOfStrings(type)) {
            return NOT_A_LIST_OF_STRINGS;
        }
        throw new AssertionError("no wrong values known for a request field of type " + type
                + ": add them here");
    }

    private static String rightValueFor(Type type) {
        if (type == String.class) {
            return "\"x\"";
        }
        if (type == Integer.class || type == Long.class) {
            return "587";
        }
        if (type == Boolean.class) {
            return "true";
        }
        if (isListOfStrings(type)) {
            return "[\"bob@example.org\"]";
        }
        throw new AssertionError("no right value known for " + type);
    }

    private static boolean isListOfStrings(Type type) {
        return type instanceof ParameterizedType p && p.getRawType() == List.class
                && p.getActualTypeArguments()[0] == String.class;
    }
}
