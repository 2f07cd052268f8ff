package com.deliverychannels.infra;

import static com.deliverychannels.testing.RouteTables.classesIn;
import static com.deliverychannels.testing.RouteTables.funqyFunctions;
import static com.deliverychannels.testing.RouteTables.routesOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.deliverychannels.http.Router;
import com.deliverychannels.testing.aws.CloudFormationYaml;
import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;

/**
 * {@code infra/template.yaml} deploys the code as it is: one Lambda per {@code @Funq} function, every route a
 * router serves mapped to the function that serves it (and no other route), the JWT authorizer on all of
 * them but the SNS webhook, and an environment made only of variables the code reads, with every variable
 * the functions need in AWS set and every secret resolved from Secrets Manager. The table's shape is
 * {@code TableLayoutMatchesTemplateTest}'s.
 */
class TemplateMatchesCodeTest {
    private static final Path TEMPLATE = Path.of("infra/template.yaml");
    private static final String BASE_PACKAGE = "com.deliverychannels";
    /** CONTRACT §3: the one route without the JWT authorizer (SNS cannot present a token). */
    private static final Set<String> WITHOUT_AUTHORIZER = Set.of("POST /v1/webhooks/ses");
    private static final String JVM_HANDLER = "io.quarkus.funqy.lambda.FunqyStreamHandler::handleRequest";

    /**
     * CONTRACT §4 variables each function needs in AWS (the others have defaults that hold there, or exist
     * only for local runs and tests). Secrets come from Secrets Manager.
     */
    private static final Set<String> COMMON = Set.of("DELIVERY_TABLE", "MSC_SENDER_DOMAIN", "MSC_CONFIGURATION_SET",
            "QUARKUS_MAILER_HOST", "QUARKUS_MAILER_PORT", "QUARKUS_MAILER_START_TLS", "GMAIL_CLIENT_ID",
            "BOUNCE_TOPIC_ARNS", "RETRY_BASE_DELAY", "RETRY_MAX_DELAY", "RETRY_MAX_ATTEMPTS", "RETRY_MAX_AGE");
    /** The Secrets Manager ARN each function is given, by its variable, and the template parameter it comes from. */
    private static final Map<String, Map<String, String>> SECRET_ARNS_BY_FUNCTION = Map.of(
            "channels", Map.of("CREDENTIALS_KEYS_SECRET_ARN", "CredentialsKeysSecretArn",
                    "GMAIL_CLIENT_SECRET_SECRET_ARN", "GmailClientSecretSecretArn"),
            "send", Map.of("CREDENTIALS_KEYS_SECRET_ARN", "CredentialsKeysSecretArn",
                    "GMAIL_CLIENT_SECRET_SECRET_ARN", "GmailClientSecretSecretArn",
                    "MSC_SMTP_CREDENTIALS_SECRET_ARN", "SesSmtpCredentialsSecretArn"),
            "retry", Map.of("CREDENTIALS_KEYS_SECRET_ARN", "CredentialsKeysSecretArn",
                    "GMAIL_CLIENT_SECRET_SECRET_ARN", "GmailClientSecretSecretArn",
                    "MSC_SMTP_CREDENTIALS_SECRET_ARN", "SesSmtpCredentialsSecretArn"),
            "bounces", Map.of());
    /** Secret values, which must never be in any function's environment (lambda:GetFunctionConfiguration shows it). */
    private static final Set<String> SECRET_VALUES = Set.of("CREDENTIALS_KEYS", "GMAIL_CLIENT_SECRET",
            "QUARKUS_MAILER_USERNAME", "QUARKUS_MAILER_PASSWORD", "UNSUBSCRIBE_KEYS", "MICROSOFT_CLIENT_SECRET");
    /** Read by the runtime itself, not through configuration: the native image's signal handling. */
    private static final Set<String> RUNTIME_VARIABLES = Set.of("DISABLE_SIGNAL_HANDLERS");

    private static JsonNode template;
    private static JsonNode resources;
    /** Logical id of each function's resource, by its QUARKUS_FUNQY_EXPORT. */
    private static Map<String, String> functionIds;

    @BeforeAll
    static void readTemplate() throws IOException {
        template = CloudFormationYaml.read(TEMPLATE);
        resources = template.get("Resources");
        functionIds = new TreeMap<>();
        for (Map.Entry<String, JsonNode> resource : resources.properties()) {
            if ("AWS::Serverless::Function".equals(resource.getValue().path("Type").asText())) {
                JsonNode export = resource.getValue().path("Properties").path("Environment").path("Variables")
                        .path("QUARKUS_FUNQY_EXPORT");
                assertTrue(export.isTextual(), resource.getKey() + " names its function with QUARKUS_FUNQY_EXPORT");
                assertEquals(null, functionIds.put(export.asText(), resource.getKey()),
                        "one Lambda per function: " + export.asText());
            }
        }
    }

    @Test
    void deploysOneLambdaPerFunqyFunction() throws Exception {
        assertEquals(funqyFunctions().keySet(), functionIds.keySet());
        assertFalse(globalEnvironment().has("QUARKUS_FUNQY_EXPORT"), "each function names its own export");
    }

    @Test
    void everyFunctionRunsTheOneArtifact() {
        JsonNode globals = template.path("Globals").path("Function");
        assertEquals("../target/function.zip", globals.path("CodeUri").asText());
        // CodeUri is relative to the template: infra/../target/function.zip, what ./mvnw package writes.
        assertEquals(Path.of("target/function.zip"), TEMPLATE.resolveSibling(globals.path("CodeUri").asText()).normalize());
        functionIds.values().forEach(id -> assertTrue(properties(id).path("CodeUri").isMissingNode(),
                id + " takes the shared artifact from Globals"));
    }

    @Test
    void packagingChoosesTheNativeBootstrapByDefaultOrTheJvmHandlerWithSnapStart() throws Exception {
        JsonNode packaging = template.path("Parameters").path("Packaging");
        assertEquals("native", packaging.path("Default").asText());
        JsonNode native_ = template.path("Conditions").path("Native").path("Fn::Equals");
        assertEquals("Packaging", native_.path(0).path("Ref").asText());
        assertEquals("native", native_.path(1).asText());

        JsonNode globals = template.path("Globals").path("Function");
        assertEquals(List.of("Native", "provided.al2023", "java21"), texts(globals.path("Runtime").path("Fn::If")));
        JsonNode handler = globals.path("Handler").path("Fn::If");
        assertEquals("Native", handler.path(0).asText());
        assertEquals(JVM_HANDLER, handler.path(2).asText());
        // The JVM handler names a class and method that exist in the artifact.
        String[] classAndMethod = JVM_HANDLER.split("::");
        Class<?> handlerClass = Class.forName(classAndMethod[0]);
        assertTrue(Stream.of(handlerClass.getMethods()).anyMatch(m -> m.getName().equals(classAndMethod[1])));

        assertEquals(List.of("Native", "None", "PublishedVersions"),
                texts(globals.path("SnapStart").path("ApplyOn").path("Fn::If")));
        assertTrue(globals.path("AutoPublishAlias").isTextual(), "SnapStart restores published versions only");
        functionIds.values().forEach(id -> {
            assertTrue(properties(id).path("Runtime").isMissingNode(), id + " follows the Packaging parameter");
            assertTrue(properties(id).path("Handler").isMissingNode(), id + " follows the Packaging parameter");
        });
    }

    @Test
    void everyRouteTheRoutersServeIsMappedToItsFunctionAndNoOther() throws Exception {
        Map<String, String> code = new TreeMap<>();
        Set<String> anonymous = new TreeSet<>();
        for (Map.Entry<String, Class<?>> function : funqyFunctions().entrySet()) {
            for (Router.Route route : routesOf(function.getValue())) {
                assertEquals(null, code.put(route.method() + " " + route.template(), function.getKey()),
                        "one function per route");
                if (route.anonymous()) {
                    anonymous.add(route.method() + " " + route.template());
                }
            }
        }
        assertTrue(code.keySet().containsAll(WITHOUT_AUTHORIZER), "the code serves the webhook");
        assertEquals(WITHOUT_AUTHORIZER, anonymous, "the routes the code serves without a caller");

        Map<String, String> deployed = new TreeMap<>();
        httpApiEvents().forEach((function, events) -> events.forEach(event -> {
            JsonNode p = event.path("Properties");
            String route = p.path("Method").asText().toUpperCase(Locale.ROOT) + " " + p.path("Path").asText();
            assertEquals(null, deployed.put(route, function), "one function per route in the template: " + route);
        }));
        Set<String> unmapped = new TreeSet<>(code.keySet());
        unmapped.removeAll(deployed.keySet());
        assertEquals(Set.of(), unmapped, "routes the code serves and the template does not map");
        Set<String> unknown = new TreeSet<>(deployed.keySet());
        unknown.removeAll(code.keySet());
        assertEquals(Set.of(), unknown, "routes the template maps and no router serves");
        assertEquals(code, deployed, "each route goes to the function that serves it");
    }

    @Test
    void everyRouteButTheWebhookSitsBehindTheJwtAuthorizer() {
        String api = onlyResourceOfType("AWS::Serverless::HttpApi");
        JsonNode auth = properties(api).path("Auth");
        String authorizer = auth.path("DefaultAuthorizer").asText();
        JsonNode jwt = auth.path("Authorizers").path(authorizer).path("JwtConfiguration");
        assertEquals("JwtIssuer", jwt.path("issuer").path("Ref").asText());
        assertEquals("JwtAudience", jwt.path("audience").path("Ref").asText());
        assertEquals("$request.header.Authorization", auth.path("Authorizers").path(authorizer).path("IdentitySource").asText());

        httpApiEvents().values().stream().flatMap(List::stream).forEach(event -> {
            JsonNode p = event.path("Properties");
            String route = p.path("Method").asText().toUpperCase(Locale.ROOT) + " " + p.path("Path").asText();
            assertEquals(api, p.path("ApiId").path("Ref").asText(), route + " is on the one HTTP API");
            assertEquals("2.0", p.path("PayloadFormatVersion").asText(), route + " sends APIGatewayV2HTTPEvent");
            String chosen = p.path("Auth").path("Authorizer").asText("");
            if (WITHOUT_AUTHORIZER.contains(route)) {
                assertEquals("NONE", chosen, route + " has no authorizer");
            } else {
                assertTrue(chosen.isEmpty() || chosen.equals(authorizer), route + " keeps the JWT authorizer");
            }
        });
    }

    @Test
    void everyEnvironmentVariableIsOneTheCodeReads() throws Exception {
        Set<String> read = configurationVariables();
        Set<String> unknown = new TreeSet<>();
        for (String function : functionIds.keySet()) {
            for (String name : environment(function).keySet()) {
                if (!read.contains(name) && !name.startsWith("QUARKUS_") && !RUNTIME_VARIABLES.contains(name)) {
                    unknown.add(function + ": " + name);
                }
            }
        }
        assertEquals(Set.of(), unknown, "variables no @ConfigMapping or quarkus.* key reads");
    }

    @Test
    void everyVariableTheFunctionsNeedInAwsIsSet() {
        for (String function : functionIds.keySet()) {
            Set<String> missing = new TreeSet<>(COMMON);
            missing.addAll(SECRET_ARNS_BY_FUNCTION.getOrDefault(function, Map.of()).keySet());
            missing.removeAll(environment(function).keySet());
            assertEquals(Set.of(), missing, function + " lacks");
        }
        assertEquals("DeliveryTable", globalEnvironment().path("DELIVERY_TABLE").path("Ref").asText());
        assertEquals("REQUIRED", globalEnvironment().path("QUARKUS_MAILER_START_TLS").asText());
    }

    @Test
    void secretsAreReadAtRunTimeByArnAndNeverEnterAnEnvironment() throws IOException {
        assertFalse(Files.readString(TEMPLATE).contains("{{resolve:"),
                "no dynamic reference: CloudFormation would put the value into the environment");
        for (String function : functionIds.keySet()) {
            Map<String, JsonNode> env = environment(function);
            for (String secret : SECRET_VALUES) {
                assertFalse(env.containsKey(secret), function + " is given the value of " + secret);
            }
            Map<String, String> arns = SECRET_ARNS_BY_FUNCTION.getOrDefault(function, Map.of());
            Set<String> given = new TreeSet<>();
            env.forEach((name, value) -> {
                if (name.endsWith("_SECRET_ARN")) {
                    given.add(name);
                    assertEquals(arns.get(name), value.path("Ref").asText(), function + ": " + name);
                }
            });
            assertEquals(new TreeSet<>(arns.keySet()), given, function + " is given the secrets it uses, no others");

            // It may read exactly those secrets, and nothing else of Secrets Manager.
            Set<String> readable = new TreeSet<>();
            for (JsonNode statement : statements(function)) {
                List<String> actions = texts(statement.path("Action"));
                if (actions.stream().anyMatch(a -> a.startsWith("secretsmanager:"))) {
                    assertEquals(List.of("secretsmanager:GetSecretValue"), actions, function + ": " + statement);
                    assertEquals("Allow", statement.path("Effect").asText());
                    statement.path("Resource").forEach(r -> readable.add(r.path("Ref").asText()));
                }
            }
            assertEquals(new TreeSet<>(arns.values()), readable, function + " may read exactly its secrets");
        }
        assertFalse(globalEnvironment().properties().stream().anyMatch(e -> e.getKey().endsWith("_SECRET_ARN")
                || SECRET_VALUES.contains(e.getKey())), "no secret in Globals: not every function needs each");
    }

    /** The inline IAM statements of a function's policies. */
    private static List<JsonNode> statements(String function) {
        List<JsonNode> statements = new ArrayList<>();
        properties(functionIds.get(function)).path("Policies")
                .forEach(policy -> policy.path("Statement").forEach(statements::add));
        return statements;
    }

    @Test
    void bouncesHearTheConfigurationSetsTopicAndAcceptIt() {
        String destination = onlyResourceOfType("AWS::SES::ConfigurationSetEventDestination");
        JsonNode eventDestination = properties(destination).path("EventDestination");
        assertEquals(Set.of("bounce", "complaint", "delivery", "reject", "deliveryDelay", "renderingFailure"),
                Set.copyOf(texts(eventDestination.path("MatchingEventTypes"))));
        String topic = eventDestination.path("SnsDestination").path("TopicARN").path("Ref").asText();
        assertEquals("AWS::SNS::Topic", resources.path(topic).path("Type").asText());
        assertEquals(properties(destination).path("ConfigurationSetName").path("Ref").asText(),
                globalEnvironment().path("MSC_CONFIGURATION_SET").path("Ref").asText(),
                "MSC messages name the configuration set whose events reach the topic");

        JsonNode bounces = properties(functionIds.get("bounces")).path("Events");
        assertTrue(bounces.properties().stream().anyMatch(e -> "SNS".equals(e.getValue().path("Type").asText())
                && topic.equals(e.getValue().path("Properties").path("Topic").path("Ref").asText())),
                "bounces is subscribed to the topic");
        assertTrue(globalEnvironment().path("BOUNCE_TOPIC_ARNS").toString().contains("{\"Ref\":\"" + topic + "\"}"),
                "bounces accepts the topic");
        assertTrue(properties(functionIds.get("bounces")).path("DeadLetterQueue").has("TargetArn"));
    }

    @Test
    void retryRunsOnAnEventBridgeRuleAsTheFunctionExpects() {
        JsonNode retry = properties(functionIds.get("retry"));
        List<String> types = new ArrayList<>();
        retry.path("Events").forEach(e -> types.add(e.path("Type").asText()));
        // A rule sends source aws.events / detail-type "Scheduled Event"; EventBridge Scheduler does not.
        assertEquals(List.of("Schedule"), types);
        assertTrue(retry.path("DeadLetterQueue").has("TargetArn"));
        long timeout = retry.path("Timeout").asLong();
        Duration budget = Duration.parse(environment("retry").get("RETRY_SWEEP_TIME_BUDGET").asText());
        assertTrue(budget.getSeconds() <= timeout - 60, "the sweep stops claiming a minute before the time-out");
    }

    @Test
    void functionsGetOnlyItemActionsOnTheTableAndItsIndexes() {
        for (String function : functionIds.keySet()) {
            for (JsonNode statement : statements(function)) {
                List<String> actions = texts(statement.path("Action"));
                if (actions.stream().allMatch(a -> a.startsWith("secretsmanager:"))) {
                    continue; // secretsAreReadAtRunTimeByArnAndNeverEnterAnEnvironment
                }
                for (String action : actions) {
                    assertTrue(action.startsWith("dynamodb:") && !action.contains("*") && !action.equals("dynamodb:Scan"),
                            function + " may not " + action);
                }
                JsonNode resource = statement.path("Resource");
                boolean table = List.of("DeliveryTable", "Arn").equals(texts(resource.path("Fn::GetAtt")));
                boolean index = resource.path("Fn::Sub").asText().matches("\\$\\{DeliveryTable\\.Arn}/index/(gsi1|bySesMessageId)");
                assertTrue(table || index, function + " may touch only the table: " + resource);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The code's side
    // ---------------------------------------------------------------------------------------------

    /** The environment variable of every property the {@code @ConfigMapping} interfaces declare. */
    private static Set<String> configurationVariables() throws Exception {
        Set<String> variables = new TreeSet<>();
        for (Class<?> type : classesIn(BASE_PACKAGE + ".config")) {
            ConfigMapping mapping = type.getAnnotation(ConfigMapping.class);
            if (mapping != null) {
                collectProperties(type, mapping.prefix(), variables);
            }
        }
        assertTrue(variables.contains("DELIVERY_TABLE"), "found the mappings: " + variables);
        return variables;
    }

    private static void collectProperties(Class<?> group, String prefix, Set<String> variables) {
        for (Method method : group.getMethods()) {
            if (method.getParameterCount() != 0 || method.isDefault() || Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            String name = method.isAnnotationPresent(WithParentName.class) ? prefix
                    : prefix + "." + (method.isAnnotationPresent(WithName.class) ? method.getAnnotation(WithName.class).value()
                            : kebab(method.getName()));
            Class<?> value = valueType(method);
            if (value.isInterface() && value.getName().startsWith(BASE_PACKAGE)) {
                collectProperties(value, name, variables); // a nested group
            } else {
                variables.add(name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
            }
        }
    }

    /** The configured type: {@code Optional<X>} and {@code List<X>} stand for X. */
    private static Class<?> valueType(Method method) {
        Type type = method.getGenericReturnType();
        while (type instanceof ParameterizedType parameterized) {
            type = parameterized.getActualTypeArguments()[0];
        }
        return type instanceof Class<?> c ? c : Object.class;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    // ---------------------------------------------------------------------------------------------
    // The template's side
    // ---------------------------------------------------------------------------------------------

    private static JsonNode properties(String logicalId) {
        return resources.path(logicalId).path("Properties");
    }

    private static String onlyResourceOfType(String type) {
        List<String> ids = new ArrayList<>();
        resources.properties().forEach(e -> {
            if (type.equals(e.getValue().path("Type").asText())) {
                ids.add(e.getKey());
            }
        });
        assertEquals(1, ids.size(), "one " + type);
        return ids.get(0);
    }

    private static JsonNode globalEnvironment() {
        return template.path("Globals").path("Function").path("Environment").path("Variables");
    }

    /** A function's environment as Lambda gets it: Globals merged with its own. */
    private static Map<String, JsonNode> environment(String function) {
        Map<String, JsonNode> env = new LinkedHashMap<>();
        globalEnvironment().properties().forEach(e -> env.put(e.getKey(), e.getValue()));
        properties(functionIds.get(function)).path("Environment").path("Variables").properties()
                .forEach(e -> env.put(e.getKey(), e.getValue()));
        return env;
    }

    /** Each function's HttpApi events. */
    private static Map<String, List<JsonNode>> httpApiEvents() {
        Map<String, List<JsonNode>> events = new TreeMap<>();
        functionIds.forEach((function, id) -> properties(id).path("Events").forEach(event -> {
            if ("HttpApi".equals(event.path("Type").asText())) {
                events.computeIfAbsent(function, f -> new ArrayList<>()).add(event);
            }
        }));
        return events;
    }

    private static List<String> texts(JsonNode node) {
        List<String> texts = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> texts.add(n.asText()));
        } else if (!node.isMissingNode()) {
            texts.add(node.asText());
        }
        return texts;
    }
}
