package com.deliverychannels.bounce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import com.deliverychannels.bounce.SnsVerificationException.Reason;
import com.deliverychannels.testing.TestSmtpServer;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * Fetching signing certificates from a real https server on loopback, presenting the test TLS certificate
 * ({@code tls/smtp-server.p12}, trusted through {@code tls/truststore.p12}).
 */
class HttpsSigningCertificatesTest {
    private static final char[] PASSWORD = "changeit".toCharArray();
    /** For the time-out tests; the others allow the default, since a cold JVM's first handshake is slow. */
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpsServer server;
    private ExecutorService threads;
    private HttpsSigningCertificates certificates;
    private HttpsSigningCertificates impatient;

    @BeforeEach
    void startServer() throws Exception {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(TestSmtpServer.serverSslContext()));
        String pem = SnsTestSigner.certificatePem();
        route("/cert.pem", exchange -> send(exchange, 200, pem));
        route("/missing.pem", exchange -> send(exchange, 404, "Not Found"));
        route("/garbage.pem", exchange -> send(exchange, 200, "<html>this is no certificate</html>"));
        // A real certificate followed by padding: readable if the size rule were not there.
        route("/huge.pem", exchange -> send(exchange, 200, pem + "\n".repeat(64 * 1024)));
        route("/huge-chunked.pem", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(pem.getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < 80; i++) {
                    body.write(new byte[1024]);
                }
            }
        });
        route("/silent.pem", exchange -> {
            await();
            exchange.close();
        });
        route("/trickle.pem", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            OutputStream body = exchange.getResponseBody();
            body.write("-----BEGIN CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII));
            body.flush();
            await();
            exchange.close();
        });
        route("/flaky.pem", exchange -> {
            if (hits.get("/flaky.pem").get() == 1) {
                send(exchange, 503, "try later");
            } else {
                send(exchange, 200, pem);
            }
        });
        route("/moved.pem", exchange -> {
            exchange.getResponseHeaders().add("Location", "/cert.pem");
            send(exchange, 302, "");
        });
        threads = Executors.newCachedThreadPool();
        server.setExecutor(threads);
        server.start();
        SSLContext trustsTestServer = trusting("/tls/truststore.p12");
        certificates = HttpsSigningCertificates.standard(HttpsSigningCertificates.DEFAULT_TIMEOUT, trustsTestServer);
        impatient = HttpsSigningCertificates.standard(TIMEOUT, trustsTestServer);
    }

    @AfterEach
    void stopServer() {
        release.countDown();
        server.stop(0);
        threads.shutdownNow();
    }

    @Test
    void fetchesTheCertificateOnceForManyMessages() {
        X509Certificate first = certificates.certificate(url("/cert.pem"));
        X509Certificate second = certificates.certificate(url("/cert.pem"));

        assertEquals(SnsTestSigner.certificate(), first);
        assertSame(first, second);
        assertEquals(1, hits("/cert.pem"));
    }

    @Test
    void missingCertificateIsUnavailable() {
        assertEquals(Reason.CERT_UNAVAILABLE, refusal(() -> certificates.certificate(url("/missing.pem"))));
    }

    @Test
    void bodyThatIsNoCertificateIsInvalid() {
        assertEquals(Reason.CERT_INVALID, refusal(() -> certificates.certificate(url("/garbage.pem"))));
    }

    @Test
    void bodyOver64KiBIsRefused() {
        assertEquals(Reason.CERT_INVALID, refusal(() -> certificates.certificate(url("/huge.pem"))));
        assertEquals(Reason.CERT_INVALID, refusal(() -> certificates.certificate(url("/huge-chunked.pem"))));
    }

    @Test
    void serverThatNeverAnswersIsUnavailableWithinTheTimeout() {
        long start = System.nanoTime();

        assertEquals(Reason.CERT_UNAVAILABLE, refusal(() -> impatient.certificate(url("/silent.pem"))));

        assertTrue(elapsed(start).compareTo(TIMEOUT.multipliedBy(3)) < 0, "took " + elapsed(start));
    }

    @Test
    void bodyThatNeverEndsIsUnavailableWithinTheTimeout() {
        long start = System.nanoTime();

        assertEquals(Reason.CERT_UNAVAILABLE, refusal(() -> impatient.certificate(url("/trickle.pem"))));

        assertTrue(elapsed(start).compareTo(TIMEOUT.multipliedBy(3)) < 0, "took " + elapsed(start));
    }

    @Test
    void plainHttpIsRefusedWithoutAConnection() {
        URI plain = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/cert.pem");

        assertEquals(Reason.BAD_CERT_URL, refusal(() -> certificates.certificate(plain)));
        assertEquals(0, hits("/cert.pem"));
    }

    @Test
    void failedFetchIsTriedAgainNextTime() {
        assertEquals(Reason.CERT_UNAVAILABLE, refusal(() -> certificates.certificate(url("/flaky.pem"))));

        assertEquals(SnsTestSigner.certificate(), certificates.certificate(url("/flaky.pem")));
        assertEquals(SnsTestSigner.certificate(), certificates.certificate(url("/flaky.pem")));
        assertEquals(2, hits("/flaky.pem"));
    }

    @Test
    void redirectIsNotFollowed() {
        assertEquals(Reason.CERT_UNAVAILABLE, refusal(() -> certificates.certificate(url("/moved.pem"))));
        assertEquals(0, hits("/cert.pem"));
    }

    @Test
    void serverNotTrustedIsUnavailable() throws Exception {
        KeyStore empty = KeyStore.getInstance("PKCS12");
        empty.load(null, null);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(empty);
        SSLContext trustsNoOne = SSLContext.getInstance("TLS");
        trustsNoOne.init(null, trust.getTrustManagers(), null);
        HttpsSigningCertificates untrusting = HttpsSigningCertificates.standard(HttpsSigningCertificates.DEFAULT_TIMEOUT,
                trustsNoOne);

        assertEquals(Reason.CERT_UNAVAILABLE, refusal(() -> untrusting.certificate(url("/cert.pem"))));
        assertEquals(0, hits("/cert.pem"));
    }

    private URI url(String path) {
        return URI.create("https://localhost:" + server.getAddress().getPort() + path);
    }

    private void route(String path, HttpHandler handler) {
        hits.put(path, new AtomicInteger());
        server.createContext(path, exchange -> {
            hits.get(path).incrementAndGet();
            try (InputStream request = exchange.getRequestBody()) {
                request.readAllBytes();
            }
            handler.handle(exchange);
        });
    }

    private int hits(String path) {
        return hits.get(path).get();
    }

    private void await() {
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** A client context that trusts what {@code keystore} holds, and nothing else. */
    private static SSLContext trusting(String keystore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = HttpsSigningCertificatesTest.class.getResourceAsStream(keystore)) {
            store.load(in, PASSWORD);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static Reason refusal(Executable fetch) {
        return assertThrows(SnsVerificationException.class, fetch).reason();
    }
}
