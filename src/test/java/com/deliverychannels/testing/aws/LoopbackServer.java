package com.deliverychannels.testing.aws;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.CRC32;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The JDK's HTTP server on a free loopback port, as the stand-ins use it: one handler for every path, a thread per
 * concurrent call (the retry sweep calls from a pool; a fixed pool smaller than it would serialize the sweep), and
 * AWS's JSON answers. A handler that throws answers 500 with the cause, rather than leaving the client hanging.
 */
final class LoopbackServer implements AutoCloseable {
    /** Handles one exchange: the request body is read already. */
    @FunctionalInterface
    interface Handler {
        void handle(HttpExchange exchange, byte[] body) throws IOException;
    }

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService threads;

    private LoopbackServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    static LoopbackServer start(String name, Handler handler) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
                Thread thread = new Thread(runnable, name);
                thread.setDaemon(true);
                return thread;
            });
            server.createContext("/", exchange -> {
                try (exchange) {
                    byte[] body = exchange.getRequestBody().readAllBytes();
                    try {
                        handler.handle(exchange, body);
                    } catch (RuntimeException | IOException e) {
                        // Answered 500 unless the handler had already begun its answer.
                        if (exchange.getResponseCode() == -1) {
                            byte[] text = (name + " failed: " + e).getBytes(StandardCharsets.UTF_8);
                            exchange.sendResponseHeaders(500, text.length);
                            exchange.getResponseBody().write(text);
                        }
                        throw e;
                    }
                }
            });
            server.setExecutor(threads);
            server.start();
            return new LoopbackServer(server, threads);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    /**
     * An AWS JSON answer: {@code contentType} {@code application/x-amz-json-1.0} (DynamoDB) or {@code -1.1}
     * (Secrets Manager), a request id, and with {@code crc32} the CRC32 of the body, which DynamoDB (alone) sends
     * on every answer and its SDK client checks when present.
     */
    static void answer(HttpExchange exchange, int status, String contentType, byte[] body, boolean crc32)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        if (crc32) {
            CRC32 crc = new CRC32();
            crc.update(body);
            exchange.getResponseHeaders().set("x-amz-crc32", Long.toString(crc.getValue()));
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    /** AWS's JSON error body: {@code {"__type": ..., <messageKey>: ...}}. */
    static byte[] errorBody(String awsErrorType, String messageKey, String message) {
        ObjectNode error = JSON.createObjectNode().put("__type", awsErrorType);
        if (message != null) {
            error.put(messageKey, message);
        }
        try {
            return JSON.writeValueAsBytes(error);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
