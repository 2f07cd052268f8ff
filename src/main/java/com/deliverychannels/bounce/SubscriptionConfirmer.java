package com.deliverychannels.bounce;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.deliverychannels.core.UnavailableException;

/**
 * Confirms an SNS subscription by visiting its {@code SubscribeURL} (after the verifier checked that it
 * is https on an accepted SNS host). Redirects are not followed: they could lead anywhere.
 */
public class SubscriptionConfirmer {
    private static final int MAX_BODY = 64 * 1024;

    private final HttpClient client;
    private final Duration timeout;

    public SubscriptionConfirmer(HttpClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    /** A confirmer with the JDK's client and trust store. */
    public static SubscriptionConfirmer standard(Duration timeout) {
        return new SubscriptionConfirmer(HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build(), timeout);
    }

    /** Visits {@code subscribeUrl}; SNS answers 200 with a ConfirmSubscriptionResponse. */
    public void confirm(URI subscribeUrl) {
        HttpRequest request = HttpRequest.newBuilder(subscribeUrl).timeout(timeout).GET().build();
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                body.readNBytes(MAX_BODY);
            }
            if (response.statusCode() != 200) {
                throw new UnavailableException("problem.sns.confirmation-failed",
                        new IllegalStateException("SubscribeURL answered " + response.statusCode()));
            }
        } catch (IOException e) {
            throw new UnavailableException("problem.sns.confirmation-failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("problem.sns.confirmation-failed", e);
        }
    }
}
