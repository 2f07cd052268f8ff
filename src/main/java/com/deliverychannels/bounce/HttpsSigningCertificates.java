package com.deliverychannels.bounce;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLContext;

import com.deliverychannels.bounce.SnsVerificationException.Reason;

/**
 * Fetches SNS signing certificates over https and keeps them: SNS signs with a handful of certificates,
 * so each URL is fetched once per process, never once per message ("Verifying the signatures of Amazon
 * SNS messages" asks for https; the cache keeps a burst of bounces from becoming a burst of downloads).
 * A failed fetch is not remembered, so the next message tries again.
 */
public final class HttpsSigningCertificates implements SigningCertificates {
    /** Long enough for a TLS handshake across regions, short enough to answer SNS before it gives up. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** An SNS certificate is about 2 KiB; anything much larger is not one. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    /** SNS uses few certificate URLs at a time; the bound only stops the map from growing without end. */
    static final int MAX_CACHED = 100;

    private final HttpClient client;
    private final Duration timeout;
    private final Map<URI, CompletableFuture<X509Certificate>> cache = new ConcurrentHashMap<>();

    /**
     * @param client  the client to fetch with; it should not follow redirects (see {@link #standard(Duration)})
     * @param timeout the most one fetch may take, connection, TLS handshake and body included
     */
    public HttpsSigningCertificates(HttpClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    /** With the JDK's trust store and {@link #DEFAULT_TIMEOUT}. */
    public static HttpsSigningCertificates standard() {
        return standard(DEFAULT_TIMEOUT);
    }

    /**
     * With the JDK's trust store, so the server must prove it is the SNS host the URL names. Redirects are
     * never followed: the URL was checked against the accepted hosts, where it redirects to was not.
     */
    public static HttpsSigningCertificates standard(Duration timeout) {
        return new HttpsSigningCertificates(client(timeout).build(), timeout);
    }

    /** As {@link #standard(Duration)}, trusting what {@code tls} trusts (a local test server, say). */
    public static HttpsSigningCertificates standard(Duration timeout, SSLContext tls) {
        return new HttpsSigningCertificates(client(timeout).sslContext(tls).build(), timeout);
    }

    private static HttpClient.Builder client(Duration timeout) {
        return HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER);
    }

    @Override
    public X509Certificate certificate(URI url) {
        if (url == null || !"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
            // The verifier checks this first; a certificate fetched in clear text proves nothing.
            throw new SnsVerificationException(Reason.BAD_CERT_URL, "certificate URL is not https");
        }
        CompletableFuture<X509Certificate> mine = new CompletableFuture<>();
        CompletableFuture<X509Certificate> known = cache.putIfAbsent(url, mine);
        if (known != null) {
            return await(known);
        }
        try {
            mine.complete(fetch(url));
        } catch (RuntimeException e) {
            cache.remove(url, mine);
            mine.completeExceptionally(e);
            throw e;
        }
        evictBeyondBound(url);
        return mine.join();
    }

    private X509Certificate fetch(URI url) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        CompletableFuture<HttpResponse<byte[]>> call = client.sendAsync(request, info -> info.statusCode() == 200
                ? new BoundedBody(MAX_BODY_BYTES)
                : HttpResponse.BodySubscribers.<byte[]>replacing(null));
        HttpResponse<byte[]> response;
        try {
            // The request time-out covers the response headers only; this one also covers a slow body.
            response = call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw unavailable(url, "no answer within " + timeout, e);
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw unavailable(url, "interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (causedByTooLarge(cause)) {
                throw new SnsVerificationException(Reason.CERT_INVALID,
                        "certificate from " + url.getHost() + " is over " + MAX_BODY_BYTES + " bytes");
            }
            throw unavailable(url, cause == null ? "failed" : cause.getClass().getSimpleName(), cause);
        }
        if (response.statusCode() != 200) {
            throw unavailable(url, "status " + response.statusCode(), null);
        }
        return parse(url, response.body());
    }

    private static X509Certificate parse(URI url, byte[] pem) {
        try {
            Certificate certificate = CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem));
            if (certificate instanceof X509Certificate x509) {
                return x509;
            }
        } catch (CertificateException | RuntimeException e) {
            throw new SnsVerificationException(Reason.CERT_INVALID,
                    "no X.509 certificate at " + url.getHost() + url.getRawPath(), e);
        }
        throw new SnsVerificationException(Reason.CERT_INVALID,
                "no X.509 certificate at " + url.getHost() + url.getRawPath());
    }

    private static X509Certificate await(CompletableFuture<X509Certificate> fetch) {
        try {
            return fetch.join();
        } catch (CompletionException | CancellationException e) {
            // Another caller's fetch of the same URL failed: report its failure as ours.
            if (e.getCause() instanceof SnsVerificationException failure) {
                throw failure;
            }
            throw new SnsVerificationException(Reason.CERT_UNAVAILABLE, "certificate fetch failed", e);
        }
    }

    private static boolean causedByTooLarge(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TooLarge) {
                return true;
            }
        }
        return false;
    }

    private void evictBeyondBound(URI keep) {
        Iterator<URI> urls = cache.keySet().iterator();
        while (cache.size() > MAX_CACHED && urls.hasNext()) {
            URI url = urls.next();
            if (!url.equals(keep)) {
                urls.remove();
            }
        }
    }

    private static SnsVerificationException unavailable(URI url, String why, Throwable cause) {
        return new SnsVerificationException(Reason.CERT_UNAVAILABLE,
                "certificate from " + url.getHost() + " unavailable: " + why, cause);
    }

    /** Signals a body over the limit; carries no text of its own. */
    private static final class TooLarge extends IOException {
        TooLarge() {
            super("response body over limit", null);
        }
    }

    /** Collects at most {@code limit} bytes and cancels the download beyond that. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int limit;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        BoundedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                if (bytes.size() + buffer.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLarge());
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable failure) {
            result.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }
}
