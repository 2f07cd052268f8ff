package com.deliverychannels.packaged;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.deliverychannels.delivery.DeliveryStore;
import com.deliverychannels.local.EmbeddedDynamoDb;
import com.deliverychannels.store.DynamoDeliveryStore;
import com.deliverychannels.store.DynamoFailedDeliveryStore;
import com.deliverychannels.store.TableLayout;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.DeliveryFixtures;
import com.deliverychannels.testing.DynamoDbLocalResource;
import com.deliverychannels.testing.GmailSmtpResource;
import com.deliverychannels.testing.GoogleTokenEndpoint;
import com.deliverychannels.testing.SnsCertificateHost;
import com.deliverychannels.testing.TestSmtpServer;
import com.deliverychannels.testing.aws.AwsAccount;
import com.deliverychannels.testing.aws.AwsPolicyProxy;
import com.deliverychannels.testing.aws.SecretsManagerStandIn;
import com.deliverychannels.testing.aws.IamPolicy;
import com.deliverychannels.testing.aws.TemplatePolicies;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Everything a packaged function talks to, on loopback, and the configuration that points it there: DynamoDB
 * Local with the table from {@link TableLayout}, our relay (STARTTLS required, AUTH), Gmail's SMTP server
 * (XOAUTH2) and Google's token endpoint (WireMock), and SNS's certificate host. The functions get nothing but
 * environment variables of CONTRACT §4 (and {@code JAVA_TOOL_OPTIONS} for the test trust store), as a Lambda
 * would; every function started through {@link #start(String)} stops with this.
 * <p>
 * DynamoDB Local checks no permission, so each function reaches it through an {@link AwsPolicyProxy} of its own
 * that enforces the function's role policy as {@code infra/template.yaml} grants it ({@link TemplatePolicies}):
 * a call the deployed function could not make fails here as it would in AWS, and {@link #policyProxy(String)}
 * tells what each function used.
 * <p>
 * Shared by the packaged-artifact ITs and the benchmarks, so both run the artifact in the same world.
 */
public final class PackagedProduct implements AutoCloseable {
    /** The SNS topic the bounces function accepts. */
    public static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-feedback";
    public static final String RELAY_USERNAME = "ses-smtp-user";
    public static final String RELAY_PASSWORD = "ses-smtp-password";
    public static final String SENDER_DOMAIN = "mail.delivery-channels.test";
    public static final String CONFIGURATION_SET = "delivery-channels-packaged";
    /** Generous: a cold JVM start here takes a few seconds, slower on a loaded CI machine. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** The variable that points a function's DynamoDB client at an endpoint. */
    public static final String DYNAMODB_ENDPOINT = "QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TRUST_STORE = Path.of("src/test/resources/tls/truststore.p12").toAbsolutePath();

    private final String table;
    private final EmbeddedDynamoDb dynamoDbLocal;
    private final DynamoDbClient dynamo;
    private final TestSmtpServer relay;
    private final SnsCertificateHost certificates;
    private final Map<String, String> googleSettings;
    private final String credentialsKeys;
    private final TemplatePolicies policies;
    private final Map<String, AwsPolicyProxy> policyProxies = new LinkedHashMap<>();
    private final Map<String, SecretsManagerStandIn> secretsManagers = new LinkedHashMap<>();
    private final List<PackagedFunction> functions = new ArrayList<>();

    private PackagedProduct(String table, EmbeddedDynamoDb dynamoDbLocal, DynamoDbClient dynamo,
                            TestSmtpServer relay, SnsCertificateHost certificates, Map<String, String> googleSettings) {
        this.table = table;
        this.dynamoDbLocal = dynamoDbLocal;
        this.dynamo = dynamo;
        this.relay = relay;
        this.certificates = certificates;
        this.googleSettings = googleSettings;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.credentialsKeys = "packaged-1:" + Base64.getEncoder().encodeToString(key);
        this.policies = TemplatePolicies.read(table);
    }

    /** Starts DynamoDB Local with the table {@code table}, and the servers around it. */
    public static PackagedProduct open(String table) {
        EmbeddedDynamoDb dynamoDbLocal = EmbeddedDynamoDb.start(DynamoDbLocalResource.freePort());
        DynamoDbClient dynamo = DynamoDbClient.builder()
                .endpointOverride(URI.create(dynamoDbLocal.endpoint()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
        // The functions never create the table (in AWS the template does); it must exist first.
        TableLayout.createIfAbsent(dynamo, table);
        Map<String, String> google = new GoogleTokenEndpoint().start();
        new GmailSmtpResource().start();
        return new PackagedProduct(table, dynamoDbLocal, dynamo,
                TestSmtpServer.startTls(RELAY_USERNAME, RELAY_PASSWORD), SnsCertificateHost.start(), google);
    }

    /**
     * The product's configuration as the template gives it to every function: environment variables of
     * CONTRACT §4 only, nothing of a test profile. A copy; callers may change it for one function.
     * <p>
     * Its DynamoDB endpoint is DynamoDB Local itself, where no permission is checked: {@link #start(String, Map)}
     * puts the function's {@link #policyProxy} in its place, and {@link #environment(String)} does so for a
     * function started otherwise.
     */
    public Map<String, String> environment() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("DELIVERY_TABLE", table);
        environment.put(DYNAMODB_ENDPOINT, dynamoDbLocal.endpoint());
        environment.put("QUARKUS_DYNAMODB_AWS_REGION", "eu-west-1");
        environment.put("QUARKUS_DYNAMODB_AWS_CREDENTIALS_TYPE", "static");
        environment.put("QUARKUS_DYNAMODB_AWS_CREDENTIALS_STATIC_PROVIDER_ACCESS_KEY_ID", "test");
        environment.put("QUARKUS_DYNAMODB_AWS_CREDENTIALS_STATIC_PROVIDER_SECRET_ACCESS_KEY", "test");
        environment.put("CREDENTIALS_KEYS", credentialsKeys);
        environment.put("QUARKUS_MAILER_HOST", relay.host());
        environment.put("QUARKUS_MAILER_PORT", Integer.toString(relay.port()));
        environment.put("QUARKUS_MAILER_USERNAME", RELAY_USERNAME);
        environment.put("QUARKUS_MAILER_PASSWORD", RELAY_PASSWORD);
        environment.put("QUARKUS_MAILER_START_TLS", "REQUIRED");
        environment.put("QUARKUS_MAILER_TLS", "false");
        environment.put("MSC_SENDER_DOMAIN", SENDER_DOMAIN);
        environment.put("MSC_CONFIGURATION_SET", CONFIGURATION_SET);
        googleSettings.forEach((key, value) -> environment.put(variable(key), value));
        TestSmtpServer gmail = GmailSmtpResource.server();
        environment.put("GMAIL_SMTP_HOST", gmail.host());
        environment.put("GMAIL_SMTP_PORT", Integer.toString(gmail.port()));
        environment.put("GMAIL_SMTP_SECURITY", "STARTTLS");
        environment.put("BOUNCE_TOPIC_ARNS", TOPIC);
        environment.put("SNS_CERT_URL_PATTERN", SnsCertificateHost.URL_PATTERN);
        environment.put("SMTP_ALLOW_PRIVATE_HOSTS", "true");
        // The servers above present the test certificate; the function must trust it as the test JVM does.
        environment.put("JAVA_TOOL_OPTIONS", "-Djavax.net.ssl.trustStore=" + TRUST_STORE
                + " -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.trustStoreType=PKCS12");
        return environment;
    }

    /**
     * {@link #environment()} with the DynamoDB endpoint of the function {@code exportName}: its
     * {@link #policyProxy}, which enforces its role policy (or denies everything, for a function the template does
     * not deploy). For a function started without {@link #start(String, Map)}.
     */
    public Map<String, String> environment(String exportName) {
        Map<String, String> environment = environment();
        environment.put(DYNAMODB_ENDPOINT, policyProxy(exportName).endpoint());
        return environment;
    }

    /** {@link #start(String, Map)} with {@link #environment()}. */
    public PackagedFunction start(String exportName) {
        return start(exportName, environment());
    }

    /**
     * Starts the packaged function {@code exportName} with {@code environment}, and fails with its output if
     * it does not get ready (init failed, or the process exited); it stops with this. Its DynamoDB calls go
     * through its {@link #policyProxy}, unless {@code environment} points them somewhere else than DynamoDB
     * Local (a benchmark's meter, say).
     */
    public PackagedFunction start(String exportName, Map<String, String> environment) {
        Map<String, String> enforced = new LinkedHashMap<>(environment);
        if (dynamoDbLocal.endpoint().equals(enforced.get(DYNAMODB_ENDPOINT))) {
            enforced.put(DYNAMODB_ENDPOINT, policyProxy(exportName).endpoint());
        }
        secretsByArn(exportName, enforced);
        PackagedFunction function = PackagedFunction.start(exportName, enforced);
        functions.add(function);
        if (!function.isReady()) {
            throw new IllegalStateException("the packaged " + exportName + " function did not get ready"
                    + function.describeProcess());
        }
        return function;
    }

    /** Invokes an HTTP-facing function with an API Gateway event and reads its answer. */
    public static ApiEvents.ApiAnswer http(PackagedFunction function, ApiEvents request) {
        return ApiEvents.answer(function.invoke(request.json(), TIMEOUT));
    }

    /** Invokes a function with any event and parses its JSON answer. */
    public static JsonNode invoke(PackagedFunction function, String event) {
        String raw = function.invoke(event, TIMEOUT);
        try {
            return JSON.readTree(raw);
        } catch (IOException e) {
            throw new AssertionError("the function's answer is not JSON: " + raw, e);
        }
    }

    public String table() {
        return table;
    }

    public DynamoDbClient dynamo() {
        return dynamo;
    }

    /** The deliveries as the functions store them, read and written through the product's own store. */
    public DeliveryStore deliveries() {
        return new DynamoDeliveryStore(dynamo, () -> table, Clock.systemUTC(),
                new DynamoFailedDeliveryStore(dynamo, () -> table));
    }

    /** The ids of every delivery {@code user} owns ({@link DeliveryFixtures#storedFor}). */
    public List<String> deliveryIdsOf(String user) {
        return DeliveryFixtures.storedFor(dynamo, table, user).stream()
                .map(item -> item.get(TableLayout.PK).s().substring("DELIVERY#".length()))
                .toList();
    }

    /** Our relay: every MSC message arrives here. */
    public TestSmtpServer relay() {
        return relay;
    }

    /** smtp.gmail.com: XOAUTH2 for {@link GmailSmtpResource#ADDRESS} with its accepted access token. */
    public TestSmtpServer gmail() {
        return GmailSmtpResource.server();
    }

    public SnsCertificateHost certificates() {
        return certificates;
    }

    /** Every function's role policy, as the template grants it, for this product's table. */
    public TemplatePolicies policies() {
        return policies;
    }

    /**
     * The proxy in front of DynamoDB Local for the function {@code exportName}, enforcing its role policy from the
     * template ({@link IamPolicy#denyAll()} for a name the template does not deploy), started on first use; one
     * per export name, shared by every process of that function. Its {@link AwsPolicyProxy#used()} is what the
     * function used; tests may inject faults through it.
     */
    public synchronized AwsPolicyProxy policyProxy(String exportName) {
        return policyProxies.computeIfAbsent(exportName, export -> AwsPolicyProxy.start(dynamoDbLocal.endpoint(),
                policies.policy(export), AwsAccount.TEST, principal(export)));
    }

    /** The ARN each secret variable is read from in AWS, as the template's parameters name them. */
    public static final Map<String, String> SECRET_ARNS = Map.of(
            "CREDENTIALS_KEYS", TemplatePolicies.secretArn(AwsAccount.TEST, "CredentialsKeysSecretArn"),
            "GMAIL_CLIENT_SECRET", TemplatePolicies.secretArn(AwsAccount.TEST, "GmailClientSecretSecretArn"),
            "MSC_SMTP_CREDENTIALS", TemplatePolicies.secretArn(AwsAccount.TEST, "SesSmtpCredentialsSecretArn"));

    /**
     * Moves the secrets of {@code environment} out of it, as the template does: a secret the function's role may
     * read goes into the function's own Secrets Manager stand-in (which enforces that policy), and the function is
     * given its ARN and the stand-in's endpoint instead; a secret it may not read it is not given at all (as
     * {@code bounces} has none in AWS). An environment already pointing at a Secrets Manager is left as it is.
     */
    private void secretsByArn(String exportName, Map<String, String> environment) {
        if (environment.containsKey("AWS_ENDPOINT_URL_SECRETS_MANAGER")) {
            return;
        }
        SecretsManagerStandIn secrets = secretsManager(exportName);
        String username = environment.remove("QUARKUS_MAILER_USERNAME");
        String password = environment.remove("QUARKUS_MAILER_PASSWORD");
        Map<String, String> values = new LinkedHashMap<>();
        values.put("CREDENTIALS_KEYS", environment.remove("CREDENTIALS_KEYS"));
        values.put("GMAIL_CLIENT_SECRET", environment.remove("GMAIL_CLIENT_SECRET"));
        values.put("MSC_SMTP_CREDENTIALS", username == null || password == null ? null
                : JSON.createObjectNode().put("username", username).put("password", password).toString());
        values.forEach((name, value) -> {
            String arn = SECRET_ARNS.get(name);
            if (value != null && policies.policy(exportName).evaluate("secretsmanager:GetSecretValue", arn).allowed()) {
                secrets.put(arn, value);
                environment.put(name + "_SECRET_ARN", arn);
            }
        });
        environment.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", secrets.endpoint());
    }

    /**
     * The Secrets Manager stand-in of the function {@code exportName}, enforcing its role policy from the template
     * (deny-all for a name the template does not deploy), started on first use.
     */
    public synchronized SecretsManagerStandIn secretsManager(String exportName) {
        return secretsManagers.computeIfAbsent(exportName, export -> SecretsManagerStandIn.start(
                policies.policy(export), AwsAccount.TEST, principal(export)));
    }

    /** The role session the function {@code export} calls AWS as (a role-less one for a name not deployed). */
    private String principal(String export) {
        return policies.role(export)
                        .map(TemplatePolicies.FunctionRole::principal)
                        .orElse(AwsAccount.TEST.assumedRole(TemplatePolicies.STACK_NAME + "-no-role",
                                TemplatePolicies.STACK_NAME + "-" + export));
    }

    /** The Secrets Manager stand-ins started so far, by export name. */
    public synchronized Map<String, SecretsManagerStandIn> secretsManagers() {
        return Map.copyOf(secretsManagers);
    }

    /** The proxies started so far, by export name. */
    public synchronized Map<String, AwsPolicyProxy> policyProxies() {
        return Map.copyOf(policyProxies);
    }

    @Override
    public void close() {
        functions.forEach(PackagedFunction::close);
        policyProxies.values().forEach(AwsPolicyProxy::close);
        secretsManagers.values().forEach(SecretsManagerStandIn::close);
        certificates.close();
        relay.close();
        dynamo.close();
        dynamoDbLocal.close();
    }

    /** {@code gmail.token-url} → {@code GMAIL_TOKEN_URL}: the environment variable a property is read from. */
    private static String variable(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }
}
