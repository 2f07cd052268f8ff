package com.deliverychannels.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.deliverychannels.bounce.SnsTestSigner;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * SNS's certificate host on loopback: https with the test server certificate ({@code tls/smtp-server.p12},
 * trusted through {@code tls/truststore.p12}), serving the test signing certificate at {@code /sns.pem} and
 * recording the subscription confirmations fetched from {@code /confirm}. AWS's own hosts are not reachable
 * from tests, so the product's {@code sns.cert-url-pattern} is pointed here by {@link #URL_PATTERN}.
 */
public final class SnsCertificateHost implements AutoCloseable {
    /** The value for {@code sns.cert-url-pattern} ({@code SNS_CERT_URL_PATTERN}) that accepts this host. */
    public static final String URL_PATTERN = "^https://127\\.0\\.0\\.1:[0-9]+/.*";

    private final HttpsServer server;
    private final List<String> confirmations = new CopyOnWriteArrayList<>();

    private SnsCertificateHost(HttpsServer server) {
        this.server = server;
    }

    public static SnsCertificateHost start() {
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(TestSmtpServer.serverSslContext()));
            SnsCertificateHost host = new SnsCertificateHost(server);
            server.createContext("/sns.pem", exchange -> answer(exchange, SnsTestSigner.certificatePem()));
            server.createContext("/confirm", exchange -> {
                host.confirmations.add(exchange.getRequestURI().getQuery());
                answer(exchange, "<ConfirmSubscriptionResponse/>");
            });
            server.start();
            return host;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code SigningCertURL} of envelopes signed by {@link SnsTestSigner}. */
    public String certUrl() {
        return base() + "/sns.pem";
    }

    /** A {@code SubscribeURL} on this host; confirmations fetched from it are {@link #confirmations()}. */
    public String subscribeUrl(String token) {
        return base() + "/confirm?token=" + token;
    }

    /** The query strings of the confirmation requests received so far. */
    public List<String> confirmations() {
        return List.copyOf(confirmations);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private String base() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
