package com.deliverychannels.packaged;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The part of the Lambda Runtime API (version 2018-06-01) that a runtime client uses, served on
 * {@code 127.0.0.1} at a random port: the test queues events with {@link #invoke}, the runtime client
 * takes them from {@code GET /runtime/invocation/next} and answers on {@code .../response} or
 * {@code .../error}; a failed init is posted to {@code /runtime/init/error}.
 * <p>
 * One stub serves one function process, as one Lambda sandbox has its own Runtime API.
 */
public final class LambdaRuntimeApiStub implements AutoCloseable {
    private static final String PREFIX = "/2018-06-01/runtime/";
    private static final Pattern INVOCATION_ANSWER = Pattern.compile(
            "^" + Pattern.quote(PREFIX) + "invocation/([^/]+)/(response|error)$");
    private static final String ACCEPTED = "{\"status\":\"OK\"}";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final HttpServer server;
    private final ExecutorService handlers;
    private final String functionArn;
    private final BlockingQueue<Invocation> queued = new LinkedBlockingQueue<>();
    private final Map<String, Invocation> invocations = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> firstPoll = new CompletableFuture<>();
    private final CompletableFuture<String> initError = new CompletableFuture<>();
    private volatile String gone;
    private volatile boolean closed;

    private LambdaRuntimeApiStub(String functionName) throws IOException {
        this.functionArn = "arn:aws:lambda:eu-west-1:123456789012:function:" + functionName;
        // The JDK's HTTP server leaves Nagle's algorithm on; with the runtime client's small writes that adds
        // ~40-90 ms to every invocation. Read once, when the server implementation first loads: the pom sets it
        // for every test JVM, since another JDK server (SNS's certificate host) may load it first.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // GET /next blocks until an event is queued, so each exchange needs its own thread; a single-thread
        // executor would leave the runtime's response POST waiting behind its next poll.
        this.handlers = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "lambda-runtime-api-stub");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(handlers);
        server.createContext(PREFIX, this::handle);
        server.start();
    }

    /**
     * Starts a Runtime API on a free loopback port.
     *
     * @param functionName the Lambda function name, used in the invoked function ARN given with each event
     */
    public static LambdaRuntimeApiStub start(String functionName) {
        try {
            return new LambdaRuntimeApiStub(functionName);
        } catch (IOException e) {
            throw new IllegalStateException("the Lambda Runtime API stub did not start", e);
        }
    }

    /** The value for {@code AWS_LAMBDA_RUNTIME_API}: {@code 127.0.0.1:<port>}. */
    public String hostAndPort() {
        return server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    /** Completes the first time the runtime asks for an event, i.e. once its init is over. */
    public CompletableFuture<Void> firstPoll() {
        return firstPoll;
    }

    /** Completes with the body the runtime posted to {@code /runtime/init/error}, if it does. */
    public CompletableFuture<String> initError() {
        return initError;
    }

    /** Waits until the runtime first polls {@code /runtime/invocation/next}; {@code false} on time-out. */
    public boolean awaitFirstPoll(Duration timeout) throws InterruptedException {
        try {
            firstPoll.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Queues one event, waits for the runtime to take it and answer, and returns the response body.
     *
     * @throws FunctionErrorException if the runtime posts to {@code .../error} instead
     * @throws IllegalStateException if no answer comes within {@code timeout}, or the runtime failed its init
     *         or went away (see {@link #runtimeGone})
     */
    public String invoke(String eventJson, Duration timeout) {
        String whyNoAnswer = reasonNoAnswerCanCome();
        if (whyNoAnswer != null) {
            throw new IllegalStateException("cannot invoke: " + whyNoAnswer);
        }
        Invocation invocation = new Invocation(UUID.randomUUID().toString(),
                eventJson.getBytes(StandardCharsets.UTF_8),
                System.currentTimeMillis() + timeout.toMillis());
        invocations.put(invocation.requestId(), invocation);
        queued.add(invocation);
        // The runtime may have gone between the first check and the queueing; fail now rather than at time-out.
        String wentAway = reasonNoAnswerCanCome();
        if (wentAway != null) {
            invocation.answer().completeExceptionally(new IllegalStateException(wentAway));
        }
        try {
            return invocation.answer().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FunctionErrorException error) {
                throw new FunctionErrorException(error.errorType(), error.body());
            }
            throw new IllegalStateException("invocation " + invocation.requestId() + " failed: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer to invocation " + invocation.requestId() + " within "
                    + timeout + (queued.contains(invocation) ? " (the runtime never took the event)" : ""));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for invocation " + invocation.requestId(), e);
        } finally {
            queued.remove(invocation);
            invocations.remove(invocation.requestId());
        }
    }

    /**
     * Says that no runtime will poll this API any more (its process exited): pending and later
     * invocations fail at once instead of waiting for their time-out.
     */
    public void runtimeGone(String reason) {
        gone = reason;
        failAllPending(reason);
    }

    @Override
    public void close() {
        closed = true;
        failAllPending("the Runtime API stub was closed");
        server.stop(0);
        handlers.shutdownNow();
    }

    private String reasonNoAnswerCanCome() {
        if (initError.isDone()) {
            return "the runtime failed its init: " + initError.join();
        }
        if (gone != null) {
            return gone;
        }
        return closed ? "the Runtime API stub is closed" : null;
    }

    private void failAllPending(String reason) {
        invocations.values().forEach(invocation -> invocation.answer().completeExceptionally(
                new IllegalStateException(reason)));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            byte[] body = readBody(exchange);
            if (method.equals("GET") && path.equals(PREFIX + "invocation/next")) {
                nextInvocation(exchange);
                return;
            }
            if (method.equals("POST") && path.equals(PREFIX + "init/error")) {
                initError.complete(new String(body, StandardCharsets.UTF_8));
                failAllPending("the runtime failed its init: " + initError.join());
                send(exchange, 202, ACCEPTED);
                return;
            }
            Matcher answer = INVOCATION_ANSWER.matcher(path);
            if (method.equals("POST") && answer.matches()) {
                answerInvocation(exchange, answer.group(1), answer.group(2), body);
                return;
            }
            send(exchange, 404, "{\"errorMessage\":\"unknown route " + method + " " + path + "\","
                    + "\"errorType\":\"InvalidRequest\"}");
        } finally {
            exchange.close();
        }
    }

    private void nextInvocation(HttpExchange exchange) throws IOException {
        firstPoll.complete(null);
        Invocation next = null;
        try {
            // The real API holds the poll open until an event comes; poll in slices so close() ends it.
            while (next == null && !closed) {
                next = queued.poll(200, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (next == null) {
            send(exchange, 500, "{\"errorMessage\":\"the Runtime API stub is closing\","
                    + "\"errorType\":\"ServiceException\"}");
            return;
        }
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", "application/json");
        headers.set("Lambda-Runtime-Aws-Request-Id", next.requestId());
        headers.set("Lambda-Runtime-Deadline-Ms", Long.toString(next.deadlineEpochMillis()));
        headers.set("Lambda-Runtime-Invoked-Function-Arn", functionArn);
        headers.set("Lambda-Runtime-Trace-Id", traceId());
        exchange.sendResponseHeaders(200, next.event().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(next.event());
        }
    }

    private void answerInvocation(HttpExchange exchange, String requestId, String kind, byte[] body)
            throws IOException {
        Invocation invocation = invocations.get(requestId);
        if (invocation == null) {
            send(exchange, 400, "{\"errorMessage\":\"unknown request id " + requestId + "\","
                    + "\"errorType\":\"InvalidRequestID\"}");
            return;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        if (kind.equals("response")) {
            invocation.answer().complete(text);
        } else {
            String errorType = Optional.ofNullable(
                    exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type")).orElse("");
            invocation.answer().completeExceptionally(new FunctionErrorException(errorType, text));
        }
        send(exchange, 202, ACCEPTED);
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return in.readAllBytes();
        }
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** An X-Ray trace header shaped as Lambda sends it: {@code Root=1-<epoch hex>-<24 hex>;Parent=...;Sampled=0}. */
    private static String traceId() {
        HexFormat hex = HexFormat.of();
        byte[] root = new byte[12];
        byte[] parent = new byte[8];
        RANDOM.nextBytes(root);
        RANDOM.nextBytes(parent);
        return "Root=1-" + Long.toHexString(System.currentTimeMillis() / 1000) + "-" + hex.formatHex(root)
                + ";Parent=" + hex.formatHex(parent) + ";Sampled=0";
    }

    private record Invocation(String requestId, byte[] event, long deadlineEpochMillis,
                              CompletableFuture<String> answer) {
        Invocation(String requestId, byte[] event, long deadlineEpochMillis) {
            this(requestId, event, deadlineEpochMillis, new CompletableFuture<>());
        }
    }

    /** The runtime posted to {@code /runtime/invocation/{id}/error}: the function threw or could not answer. */
    public static final class FunctionErrorException extends RuntimeException {
        private final String errorType;
        private final String body;

        public FunctionErrorException(String errorType, String body) {
            super("the function answered with an error (" + errorType + "): " + body);
            this.errorType = errorType;
            this.body = body;
        }

        /** The {@code Lambda-Runtime-Function-Error-Type} header, empty if the runtime sent none. */
        public String errorType() {
            return errorType;
        }

        /** The posted error document: {@code {"errorMessage", "errorType", "stackTrace"}}. */
        public String body() {
            return body;
        }
    }
}
