package com.deliverychannels.testing.aws;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * IAM in front of DynamoDB Local, which checks no permission: an HTTP server on loopback that a DynamoDB client
 * (a packaged function's {@code QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE}) talks to instead. For each call it works out
 * the IAM actions and resources DynamoDB would authorize, evaluates them against an {@link IamPolicy}, and either
 * answers {@code AccessDeniedException} exactly as DynamoDB does or forwards the call to DynamoDB Local byte for
 * byte (DynamoDB Local checks no signature) and passes the answer back byte for byte (the SDK checks its
 * {@code x-amz-crc32} header). Every authorization is kept for {@link #used()}.
 * <p>
 * The actions a call needs, after the DynamoDB developer guide's "Actions, resources, and condition keys":
 * <ul>
 * <li>{@code GetItem}, {@code PutItem}, {@code UpdateItem}, {@code DeleteItem}: the action of the same name on
 * {@code table/NAME};</li>
 * <li>{@code Query}, {@code Scan}: on {@code table/NAME/index/INDEX} when the call names an {@code IndexName},
 * else on the table;</li>
 * <li>{@code TransactWriteItems}: no action of its own; each item is authorized as its own action
 * ({@code Put} → {@code PutItem}, {@code Update} → {@code UpdateItem}, {@code Delete} → {@code DeleteItem},
 * {@code ConditionCheck} → {@code ConditionCheckItem}) on its table; {@code TransactGetItems}: {@code GetItem}
 * per item;</li>
 * <li>{@code BatchGetItem}, {@code BatchWriteItem}: the action of the same name on each table named;</li>
 * <li>any other operation: the action of the same name on the table (or {@code ResourceArn}) the call names, or
 * {@code *}. PartiQL ({@code ExecuteStatement} ...) is not modelled and is refused with a
 * {@code ValidationException} saying so.</li>
 * </ul>
 * For tests of failure handling the proxy can also answer in place of DynamoDB with an error of the test's choice
 * ({@link #injectFault}, {@link #rejectCredentials}); such a call is neither authorized nor forwarded.
 *
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html">
 *      Using IAM with DynamoDB transactions</a>
 * @see <a href="https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html">
 *      Actions, resources, and condition keys for Amazon DynamoDB</a>
 */
public final class AwsPolicyProxy implements AutoCloseable {
    /** The principal of {@link #start(String, IamPolicy)}: a Lambda role's session. */
    public static final String DEFAULT_PRINCIPAL = AwsAccount.TEST.assumedRole("delivery-channels-test-role",
            "delivery-channels-test");

    private static final String TARGET_PREFIX = "DynamoDB_20120810.";
    private static final String CONTENT_TYPE = "application/x-amz-json-1.0";
    private static final String ACCESS_DENIED = "com.amazon.coral.service#AccessDeniedException";
    private static final String UNRECOGNIZED_CLIENT = "com.amazon.coral.service#UnrecognizedClientException";
    private static final String VALIDATION = "com.amazon.coral.validate#ValidationException";
    private static final Set<String> SINGLE_ITEM = Set.of("GetItem", "PutItem", "UpdateItem", "DeleteItem");
    private static final Set<String> PARTIQL = Set.of("ExecuteStatement", "BatchExecuteStatement",
            "ExecuteTransaction");
    private static final Set<String> HOP_BY_HOP = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "transfer-encoding", "keep-alive");

    private final URI upstream;
    private final IamPolicy policy;
    private final AwsAccount account;
    private final String principal;
    private final HttpClient client;
    private final InjectedFaults faults = new InjectedFaults();
    private final List<Authorization> used = new ArrayList<>();
    private LoopbackServer server;

    private AwsPolicyProxy(URI upstream, IamPolicy policy, AwsAccount account, String principal) {
        this.upstream = upstream;
        this.policy = policy;
        this.account = account;
        this.principal = principal;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * Starts a proxy on a free loopback port in front of {@code upstreamEndpoint} (DynamoDB Local), enforcing
     * {@code policy} ({@link IamPolicy#allowAll()} for none) for {@link #DEFAULT_PRINCIPAL} in {@link AwsAccount#TEST}.
     */
    public static AwsPolicyProxy start(String upstreamEndpoint, IamPolicy policy) {
        return start(upstreamEndpoint, policy, AwsAccount.TEST, DEFAULT_PRINCIPAL);
    }

    /**
     * As {@link #start(String, IamPolicy)}, with the account the table ARNs are built in and the principal
     * access-denied messages name (such as {@link TemplatePolicies.FunctionRole#principal()}).
     */
    public static AwsPolicyProxy start(String upstreamEndpoint, IamPolicy policy, AwsAccount account,
                                       String principal) {
        AwsPolicyProxy proxy = new AwsPolicyProxy(URI.create(upstreamEndpoint), policy, account, principal);
        proxy.server = LoopbackServer.start("aws-policy-proxy", proxy::handle);
        return proxy;
    }

    /** The endpoint to give the DynamoDB client instead of DynamoDB Local's. */
    public String endpoint() {
        return server.endpoint();
    }

    /**
     * Answers the next {@code times} calls of {@code operation} ({@code GetItem}, {@code BatchGetItem}, ... or
     * {@code *} for any) with an error in DynamoDB's JSON shape instead of forwarding them, for example
     * {@code injectFault("BatchGetItem", 400, "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
     * "Requested resource not found", 1)} or
     * {@code injectFault("*", 400, "com.amazonaws.dynamodb.v20120810#ThrottlingException", "Throughput exceeds the
     * current capacity for one or more global secondary indexes.", 10)}. The SDK retries throttling and 5xx
     * answers by itself (DynamoDB's client up to 8 times by default): count those retries in {@code times}.
     * Faults are answered oldest first; {@link #clearFaults()} drops those left.
     *
     * @param awsErrorType the {@code __type}, {@code <namespace>#<Code>}: the SDK's {@code errorCode()} is the part
     *                     after {@code #}, and picks the exception class
     */
    public void injectFault(String operation, int status, String awsErrorType, String message, int times) {
        faults.add(operation, status, awsErrorType, message, times);
    }

    /**
     * Answers the next {@code times} calls of {@code operation} ({@code *} for any) as DynamoDB answers a request
     * signed with credentials it does not know: 400 {@code UnrecognizedClientException}, "The security token
     * included in the request is invalid." (an expired or revoked role session, a key from another account).
     */
    public void rejectCredentials(String operation, int times) {
        injectFault(operation, 400, UNRECOGNIZED_CLIENT, "The security token included in the request is invalid.",
                times);
    }

    /** Drops every injected fault not answered yet. */
    public void clearFaults() {
        faults.clear();
    }

    /** Every authorization made so far, allowed or denied, in the order the calls came. */
    public synchronized List<Authorization> used() {
        return List.copyOf(used);
    }

    @Override
    public void close() {
        server.close();
    }

    private synchronized void record(List<Authorization> authorizations) {
        used.addAll(authorizations);
    }

    private void handle(HttpExchange exchange, byte[] body) throws IOException {
        String target = Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Amz-Target")).orElse("");
        String operation = target.startsWith(TARGET_PREFIX) ? target.substring(TARGET_PREFIX.length()) : target;
        Optional<InjectedFaults.Fault> fault = faults.next(operation);
        if (fault.isPresent()) {
            error(exchange, fault.get().status(), fault.get().awsErrorType(), fault.get().message());
            return;
        }
        if (PARTIQL.contains(operation)) {
            error(exchange, 400, VALIDATION, "AwsPolicyProxy does not model the permissions of PartiQL (" + operation
                    + "): add them before using it");
            return;
        }
        JsonNode request = body.length == 0 ? LoopbackServer.JSON.createObjectNode() : LoopbackServer.JSON.readTree(body);
        List<Authorization> authorizations = new ArrayList<>();
        for (Need need : needs(operation, request)) {
            authorizations.add(new Authorization(operation, need.action(), need.resource(),
                    policy.evaluate(need.action(), need.resource())));
        }
        record(authorizations);
        Optional<Authorization> denied = authorizations.stream().filter(a -> !a.allowed()).findFirst();
        if (denied.isPresent()) {
            error(exchange, 400, ACCESS_DENIED, deniedMessage(denied.get()));
            return;
        }
        forward(exchange, body);
    }

    /** One action on one resource a call needs. */
    private record Need(String action, String resource) {
    }

    private List<Need> needs(String operation, JsonNode request) {
        List<Need> needs = new ArrayList<>();
        if (SINGLE_ITEM.contains(operation)) {
            needs.add(new Need("dynamodb:" + operation, table(request.path("TableName").asText())));
        } else if (operation.equals("Query") || operation.equals("Scan")) {
            String table = table(request.path("TableName").asText());
            String index = request.path("IndexName").asText("");
            needs.add(new Need("dynamodb:" + operation, index.isEmpty() ? table : table + "/index/" + index));
        } else if (operation.equals("TransactWriteItems") || operation.equals("TransactGetItems")) {
            for (JsonNode item : request.path("TransactItems")) {
                item.properties().forEach(kind -> needs.add(new Need("dynamodb:" + itemAction(kind.getKey()),
                        table(kind.getValue().path("TableName").asText()))));
            }
        } else if (operation.equals("BatchGetItem") || operation.equals("BatchWriteItem")) {
            request.path("RequestItems").fieldNames().forEachRemaining(name ->
                    needs.add(new Need("dynamodb:" + operation, table(name))));
        } else if (request.hasNonNull("TableName")) {
            needs.add(new Need("dynamodb:" + operation, table(request.get("TableName").asText())));
        } else {
            needs.add(new Need("dynamodb:" + operation, request.path("ResourceArn").asText("*")));
        }
        return needs;
    }

    /** The IAM action of one item of a transaction. */
    private static String itemAction(String kind) {
        return switch (kind) {
            case "Put" -> "PutItem";
            case "Update" -> "UpdateItem";
            case "Delete" -> "DeleteItem";
            case "ConditionCheck" -> "ConditionCheckItem";
            case "Get" -> "GetItem";
            default -> throw new IllegalArgumentException("a transaction item of unknown kind " + kind);
        };
    }

    /** A table's ARN; DynamoDB also takes the ARN itself where a table name goes. */
    private String table(String nameOrArn) {
        return nameOrArn.startsWith("arn:") ? nameOrArn : account.tableArn(nameOrArn);
    }

    /**
     * DynamoDB's wording, as it answers an assumed role: "User: arn:aws:sts::123456789012:assumed-role/R/S is not
     * authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:...:table/T because no identity-based
     * policy allows the dynamodb:Query action", or "... with an explicit deny in an identity-based policy".
     *
     * @see <a href="https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html">
     *      Troubleshoot access denied error messages</a>
     */
    private String deniedMessage(Authorization denied) {
        String start = "User: " + principal + " is not authorized to perform: " + denied.action() + " on resource: "
                + denied.resource();
        return denied.decision() == IamPolicy.Decision.EXPLICITLY_DENIED
                ? start + " with an explicit deny in an identity-based policy"
                : start + " because no identity-based policy allows the " + denied.action() + " action";
    }

    /**
     * DynamoDB's JSON error: its own exceptions carry {@code message}, those of its front end (coral: access
     * denied, unrecognized client, validation) {@code Message}; the SDK reads either.
     */
    private static void error(HttpExchange exchange, int status, String awsErrorType, String message)
            throws IOException {
        String messageKey = awsErrorType.startsWith("com.amazon.coral.") ? "Message" : "message";
        LoopbackServer.answer(exchange, status, CONTENT_TYPE, LoopbackServer.errorBody(awsErrorType, messageKey, message),
                true);
    }

    private void forward(HttpExchange exchange, byte[] body) throws IOException {
        HttpRequest.Builder forwarded = HttpRequest.newBuilder(upstream.resolve(exchange.getRequestURI()))
                .timeout(Duration.ofSeconds(30))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> forwarded.header(name, value));
            }
        });
        HttpResponse<byte[]> response;
        try {
            response = client.send(forwarded.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            byte[] text = "interrupted".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(502, text.length);
            exchange.getResponseBody().write(text);
            return;
        }
        response.headers().map().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        byte[] answer = response.body();
        exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
        if (answer.length > 0) {
            exchange.getResponseBody().write(answer);
        }
    }
}
