package com.deliverychannels.testing.aws;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * AWS Secrets Manager's {@code GetSecretValue} on loopback, for a client built with the AWS SDK v2 (point the
 * SDK's standard {@code AWS_ENDPOINT_URL_SECRETS_MANAGER} at {@link #endpoint()}). It speaks the AWS JSON 1.1
 * protocol of the real service: {@code POST /} with {@code X-Amz-Target: secretsmanager.GetSecretValue} and a
 * body {@code {"SecretId": ..., "VersionId"?: ..., "VersionStage"?: ...}}; the answer
 * {@code {"ARN", "Name", "VersionId", "SecretString", "VersionStages", "CreatedDate"}}, the date in epoch seconds.
 * A secret is found by its full ARN, its partial ARN (without the six random characters Secrets Manager appends)
 * or its name; an unknown one answers 400 {@code ResourceNotFoundException} "Secrets Manager can't find the
 * specified secret.".
 * <p>
 * Before answering it authorizes {@code secretsmanager:GetSecretValue} on the secret's full ARN against an
 * {@link IamPolicy} (as IAM does, whatever form of id the caller used) and answers {@code AccessDeniedException}
 * when refused. Every authorization is kept for {@link #used()}, and every request is counted per secret for
 * {@link #getSecretValueCalls}. Faults can be injected as on {@link AwsPolicyProxy}.
 * <p>
 * Only {@code GetSecretValue} is modelled; another operation is answered 400 {@code InvalidRequestException}.
 *
 * @see <a href="https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html">
 *      GetSecretValue</a>
 */
public final class SecretsManagerStandIn implements AutoCloseable {
    private static final String TARGET_PREFIX = "secretsmanager.";
    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    private static final String ACTION = "secretsmanager:GetSecretValue";
    private static final String NOT_FOUND = "Secrets Manager can't find the specified secret.";
    /** The six random characters Secrets Manager appends to a secret's name in its ARN. */
    private static final Pattern ARN_SUFFIX = Pattern.compile("-[A-Za-z0-9]{6}$");
    private static final Pattern SECRET_ARN = Pattern.compile("arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)");

    /** One version of a secret's value. */
    private record Version(String versionId, String value, Instant createdDate) {
    }

    /** A secret: its current version and the one before it (Secrets Manager's AWSCURRENT and AWSPREVIOUS). */
    private record Secret(String arn, String name, Version current, Version previous) {
    }

    private final IamPolicy policy;
    private final AwsAccount account;
    private final String principal;
    private final Clock clock;
    private final InjectedFaults faults = new InjectedFaults();
    private final Map<String, Secret> secretsByArn = new LinkedHashMap<>();
    private final Map<String, Integer> calls = new TreeMap<>();
    private final List<Authorization> used = new ArrayList<>();
    private LoopbackServer server;

    private SecretsManagerStandIn(IamPolicy policy, AwsAccount account, String principal, Clock clock) {
        this.policy = policy;
        this.account = account;
        this.principal = principal;
        this.clock = clock;
    }

    /** A stand-in that allows every caller every secret. */
    public static SecretsManagerStandIn start() {
        return start(IamPolicy.allowAll());
    }

    /** A stand-in enforcing {@code policy} for {@link AwsPolicyProxy#DEFAULT_PRINCIPAL} in {@link AwsAccount#TEST}. */
    public static SecretsManagerStandIn start(IamPolicy policy) {
        return start(policy, AwsAccount.TEST, AwsPolicyProxy.DEFAULT_PRINCIPAL);
    }

    /** A stand-in enforcing {@code policy} for {@code principal}, which access-denied messages name. */
    public static SecretsManagerStandIn start(IamPolicy policy, AwsAccount account, String principal) {
        SecretsManagerStandIn standIn = new SecretsManagerStandIn(policy, account, principal, Clock.systemUTC());
        standIn.server = LoopbackServer.start("secrets-manager-stand-in", standIn::handle);
        return standIn;
    }

    /**
     * The ARN Secrets Manager would give a secret named {@code name} in {@code account}: its name and six random
     * characters, here always {@code AbCdEf} so that tests can write it down.
     */
    public static String arnOf(AwsAccount account, String name) {
        return account.arn("secretsmanager", "secret:" + name + "-AbCdEf");
    }

    /** The endpoint to give the Secrets Manager client ({@code AWS_ENDPOINT_URL_SECRETS_MANAGER}). */
    public String endpoint() {
        return server.endpoint();
    }

    /**
     * Stores {@code value} as the current version of the secret whose full ARN is {@code arn} (such as
     * {@code arn:aws:secretsmanager:eu-west-1:123456789012:secret:delivery-channels/credentials-keys-AbCdEf}),
     * creating the secret or rotating it: the version it replaces stays readable as {@code AWSPREVIOUS}.
     */
    public synchronized void put(String arn, String value) {
        Matcher matcher = SECRET_ARN.matcher(arn);
        if (!matcher.matches() || !ARN_SUFFIX.matcher(matcher.group(1)).find()) {
            throw new IllegalArgumentException("not the full ARN of a secret (…:secret:<name>-<6 characters>): " + arn);
        }
        String name = ARN_SUFFIX.matcher(matcher.group(1)).replaceFirst("");
        Version version = new Version(UUID.randomUUID().toString(), value, clock.instant());
        Secret previous = secretsByArn.get(arn);
        secretsByArn.put(arn, new Secret(arn, name, version, previous == null ? null : previous.current()));
    }

    /** How many {@code GetSecretValue} requests named the secret {@code arn} so far, whatever the answer. */
    public synchronized int getSecretValueCalls(String arn) {
        return calls.getOrDefault(arn, 0);
    }

    /** Every authorization made so far, allowed or denied, in the order the calls came. */
    public synchronized List<Authorization> used() {
        return List.copyOf(used);
    }

    /**
     * Answers the next {@code times} calls of {@code operation} ({@code GetSecretValue}, or {@code *}) with an
     * error in Secrets Manager's JSON shape instead, for example {@code injectFault("GetSecretValue", 400,
     * "ThrottlingException", "Rate exceeded", 1)} or {@code (..., 500, "InternalServiceError", "...", 4)}. The
     * SDK retries throttling and 5xx answers itself (3 attempts in all by default): count them in {@code times}.
     */
    public void injectFault(String operation, int status, String awsErrorType, String message, int times) {
        faults.add(operation, status, awsErrorType, message, times);
    }

    /**
     * Answers the next {@code times} calls of {@code operation} ({@code *} for any) as AWS answers a request
     * signed with credentials it does not know: 400 {@code UnrecognizedClientException}, "The security token
     * included in the request is invalid.".
     */
    public void rejectCredentials(String operation, int times) {
        injectFault(operation, 400, "UnrecognizedClientException", "The security token included in the request is invalid.",
                times);
    }

    /** Drops every injected fault not answered yet. */
    public void clearFaults() {
        faults.clear();
    }

    @Override
    public void close() {
        server.close();
    }

    private void handle(HttpExchange exchange, byte[] body) throws IOException {
        String target = Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Amz-Target")).orElse("");
        String operation = target.startsWith(TARGET_PREFIX) ? target.substring(TARGET_PREFIX.length()) : target;
        JsonNode request = body.length == 0 ? LoopbackServer.JSON.createObjectNode() : LoopbackServer.JSON.readTree(body);
        String secretId = request.path("SecretId").asText("");
        Optional<Secret> secret = operation.equals("GetSecretValue") ? find(secretId) : Optional.empty();
        secret.ifPresent(this::count);
        Optional<InjectedFaults.Fault> fault = faults.next(operation);
        if (fault.isPresent()) {
            error(exchange, fault.get().status(), fault.get().awsErrorType(), fault.get().message());
            return;
        }
        if (!operation.equals("GetSecretValue")) {
            error(exchange, 400, "InvalidRequestException", "SecretsManagerStandIn models GetSecretValue only, not "
                    + operation);
            return;
        }
        if (secretId.isEmpty()) {
            error(exchange, 400, "InvalidParameterException", "SecretId is required.");
            return;
        }
        // IAM comes first: a caller without the permission learns nothing, not even whether the secret exists.
        String resource = secret.map(Secret::arn).orElse(secretId.startsWith("arn:") ? secretId
                : account.arn("secretsmanager", "secret:" + secretId));
        IamPolicy.Decision decision = policy.evaluate(ACTION, resource);
        record(new Authorization(operation, ACTION, resource, decision));
        if (!decision.allowed()) {
            // The message names the secret as the caller did (observed with names and with ARNs).
            String start = "User: " + principal + " is not authorized to perform: " + ACTION + " on resource: " + secretId;
            error(exchange, 400, "AccessDeniedException", decision == IamPolicy.Decision.EXPLICITLY_DENIED
                    ? start + " with an explicit deny in an identity-based policy"
                    : start + " because no identity-based policy allows the " + ACTION + " action");
            return;
        }
        if (secret.isEmpty()) {
            error(exchange, 400, "ResourceNotFoundException", NOT_FOUND);
            return;
        }
        answerValue(exchange, secret.get(), request);
    }

    private void answerValue(HttpExchange exchange, Secret secret, JsonNode request) throws IOException {
        String versionId = request.path("VersionId").asText("");
        String stage = request.path("VersionStage").asText("");
        Version version;
        if (!versionId.isEmpty()) {
            version = secret.current().versionId().equals(versionId) ? secret.current()
                    : secret.previous() != null && secret.previous().versionId().equals(versionId) ? secret.previous() : null;
            if (version == null) {
                error(exchange, 400, "ResourceNotFoundException",
                        "Secrets Manager can't find the specified secret value for VersionId: " + versionId);
                return;
            }
        } else if (stage.isEmpty() || stage.equals("AWSCURRENT")) {
            version = secret.current();
        } else if (stage.equals("AWSPREVIOUS") && secret.previous() != null) {
            version = secret.previous();
        } else {
            error(exchange, 400, "ResourceNotFoundException",
                    "Secrets Manager can't find the specified secret value for staging label: " + stage);
            return;
        }
        ObjectNode answer = LoopbackServer.JSON.createObjectNode()
                .put("ARN", secret.arn())
                .put("Name", secret.name())
                .put("VersionId", version.versionId())
                .put("SecretString", version.value());
        answer.putArray("VersionStages").add(version == secret.current() ? "AWSCURRENT" : "AWSPREVIOUS");
        // JSON protocols carry timestamps as epoch seconds, a number with a fraction.
        answer.put("CreatedDate", BigDecimal.valueOf(version.createdDate().toEpochMilli(), 3));
        LoopbackServer.answer(exchange, 200, CONTENT_TYPE, LoopbackServer.JSON.writeValueAsBytes(answer), false);
    }

    /** The secret {@code secretId} names: its full ARN, its ARN without the random suffix, or its name. */
    private synchronized Optional<Secret> find(String secretId) {
        Secret byArn = secretsByArn.get(secretId);
        if (byArn != null) {
            return Optional.of(byArn);
        }
        return secretsByArn.values().stream()
                .filter(s -> s.name().equals(secretId) || ARN_SUFFIX.matcher(s.arn()).replaceFirst("").equals(secretId))
                .findFirst();
    }

    private synchronized void count(Secret secret) {
        calls.merge(secret.arn(), 1, Integer::sum);
    }

    private synchronized void record(Authorization authorization) {
        used.add(authorization);
    }

    /** Secrets Manager's JSON 1.1 error: {@code {"__type": "<Code>", "Message": ...}}. */
    private static void error(HttpExchange exchange, int status, String awsErrorType, String message)
            throws IOException {
        LoopbackServer.answer(exchange, status, CONTENT_TYPE, LoopbackServer.errorBody(awsErrorType, "Message", message),
                false);
    }
}
