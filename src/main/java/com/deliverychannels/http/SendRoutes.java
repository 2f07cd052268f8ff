package com.deliverychannels.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.deliverychannels.core.ConflictException;
import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.delivery.SendRequest;
import com.deliverychannels.delivery.SendService;

/**
 * The {@code send} function's routes (CONTRACT §3): send a message, read a delivery, retry a failed one.
 */
@ApplicationScoped
public class SendRoutes {
    private final Router router;
    private final Texts texts;

    public SendRoutes(SendService sends, JsonBodies json, Texts texts) {
        this.texts = texts;
        this.router = Router.builder()
                .route("POST", "/v1/messages", r -> {
                    String user = r.user();
                    SendJson.MessageRequest body = json.read(r, SendJson.MessageRequest.class);
                    SendRequest request = new SendRequest(body.identityId(), body.to(), body.cc(), body.bcc(),
                            body.replyTo(), body.subject(), body.text(), body.html(), body.conversationId());
                    Optional<String> key = r.header("idempotency-key");
                    try {
                        return ApiResponse.created(delivery(sends.send(user, request, key)));
                    } catch (ConflictException e) {
                        if (e.retryAfter().isEmpty()) {
                            throw e;
                        }
                        return retryLater(e, r.language());
                    }
                })
                .route("GET", "/v1/messages/{deliveryId}",
                        r -> ApiResponse.ok(delivery(sends.find(r.user(), r.pathParam("deliveryId")))))
                .route("POST", "/v1/messages/{deliveryId}/retry",
                        r -> ApiResponse.ok(delivery(sends.retry(r.user(), r.pathParam("deliveryId")))))
                .build();
    }

    /**
     * 409 with {@code Retry-After}: the first request with the same {@code Idempotency-Key} is still running
     * (IETF httpapi Idempotency-Key draft, as Stripe answers). A problem+json like every other, built here only
     * because HttpApi's mapping of a {@link ConflictException} sets no {@code Retry-After} yet; it belongs there
     * once it does.
     */
    private ApiResponse retryLater(ConflictException e, Locale language) {
        long seconds = Math.max(1, (e.retryAfter().orElseThrow().toMillis() + 999) / 1000);
        ProblemBody body = new ProblemBody(Problem.CONFLICT.type(), texts.text(language, Problem.CONFLICT.titleKey()),
                Problem.CONFLICT.status(), texts.text(language, e.messageKey(), e.args()), List.of(), null);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/problem+json");
        headers.put("content-language", language.getLanguage());
        headers.put("retry-after", Long.toString(seconds));
        return new ApiResponse(Problem.CONFLICT.status(), headers, body);
    }

    /** The routes this function serves. */
    public Router router() {
        return router;
    }

    static SendJson.Delivery delivery(Delivery d) {
        return new SendJson.Delivery(d.deliveryId(), d.status().name(), d.channel().name(), d.fromAddress(), d.to(),
                d.subject(), d.viaTag(), d.bounceTracking(), d.attempts(), d.nextAttemptAt(), d.lastError(),
                d.events().stream().map(e -> new SendJson.Event(e.type(), e.at(), e.detail())).toList());
    }
}
