package com.deliverychannels.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.deliverychannels.core.ConflictException;
import com.deliverychannels.core.DomainException;
import com.deliverychannels.core.FieldError;
import com.deliverychannels.core.ForbiddenException;
import com.deliverychannels.core.InvalidInputException;
import com.deliverychannels.core.MisconfiguredException;
import com.deliverychannels.core.NotFoundException;
import com.deliverychannels.core.UnavailableException;

/**
 * API Gateway HTTP API (payload 2.0) in, routed, answered. The one place where exceptions become HTTP
 * answers: the domain's kinds map to status codes, and anything unexpected becomes a 500 whose body says
 * nothing of the cause (the log has it, keyed by the request id).
 */
@ApplicationScoped
public class HttpApi {
    private static final Logger LOG = Logger.getLogger(HttpApi.class);
    /** CONTRACT §3: bodies over 256 KiB are refused. */
    public static final int MAX_BODY_BYTES = 256 * 1024;
    /** Log fields (MDC) of an HTTP request: API Gateway's request id, the matched route, the answer. */
    private static final String API_REQUEST_ID = "apiRequestId";
    private static final String ROUTE = "route";
    private static final String STATUS = "status";
    private static final String DURATION_MS = "durationMs";

    private final JsonBodies json;
    private final Texts texts;

    public HttpApi(JsonBodies json, Texts texts) {
        this.json = json;
        this.texts = texts;
    }

    /**
     * Answers one API Gateway event with {@code router}'s routes, and logs one access line for it: the route,
     * the status and the duration (as structured fields too), never a header, a query or a body. Every line
     * logged meanwhile carries API Gateway's request id ({@code apiRequestId}) and, once matched, the route.
     */
    public APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event, Router router) {
        long started = System.nanoTime();
        String requestId = requestId(event);
        MDC.put(API_REQUEST_ID, requestId);
        int status = Problem.INTERNAL.status();
        try {
            APIGatewayV2HTTPResponse response = answer(event, router, requestId);
            status = response.getStatusCode();
            return response;
        } finally {
            long millis = (System.nanoTime() - started) / 1_000_000;
            Object route = MDC.get(ROUTE);
            MDC.put(STATUS, status);
            MDC.put(DURATION_MS, millis);
            LOG.infof("%s -> %d in %d ms", route == null ? method(event) + " (no route)" : route, status, millis);
            List.of(API_REQUEST_ID, ROUTE, STATUS, DURATION_MS).forEach(MDC::remove);
        }
    }

    private APIGatewayV2HTTPResponse answer(APIGatewayV2HTTPEvent event, Router router, String requestId) {
        Locale language = Texts.negotiate(lowerCaseHeaders(event).get("accept-language"));
        try {
            ApiRequest request = toRequest(event, language);
            return toEvent(dispatch(request, router));
        } catch (HttpProblem e) {
            return problem(e.problem(), language, e.detailKey(), e.args(), e.errors(), e.allow());
        } catch (InvalidInputException e) {
            return problem(e.malformed() ? Problem.BAD_REQUEST : Problem.INVALID_FIELDS, language, e.messageKey(),
                    e.args(), e.errors(), null);
        } catch (ForbiddenException e) {
            return problem(Problem.FORBIDDEN, language, e.messageKey(), e.args(), List.of(), null);
        } catch (NotFoundException e) {
            return problem(Problem.NOT_FOUND, language, e.messageKey(), e.args(), List.of(), null);
        } catch (ConflictException e) {
            return problem(Problem.CONFLICT, language, e.messageKey(), e.args(), List.of(), null);
        } catch (MisconfiguredException e) {
            // Not the caller's fault and not passing: the deployment refuses a call (FailedCallLog names it).
            LOG.errorf(e.getCause(), "request %s failed, the deployment refuses a call: %s", requestId, e.describe());
            return internalError(language, requestId);
        } catch (UnavailableException e) {
            LOG.warnf(e.getCause(), "request %s: dependency unavailable (%s)", requestId, e.messageKey());
            return problem(Problem.UNAVAILABLE, language, e.messageKey(), e.args(), List.of(), null);
        } catch (DomainException e) {
            LOG.errorf(e, "request %s: unmapped domain error %s", requestId, e.messageKey());
            return internalError(language, requestId);
        } catch (RuntimeException e) {
            LOG.errorf(e, "request %s failed", requestId);
            return internalError(language, requestId);
        }
    }

    /** A 500 that says nothing of the cause (the log has it) but names the request. */
    private APIGatewayV2HTTPResponse internalError(Locale language, String requestId) {
        return problem(Problem.INTERNAL, language, "problem.internal.detail", List.of(), List.of(), null, requestId);
    }

    private ApiResponse dispatch(ApiRequest request, Router router) {
        Router.Match match = router.match(request.method(), request.path());
        if (match instanceof Router.Match.Unknown) {
            throw new HttpProblem(Problem.NOT_FOUND, "problem.route.unknown", request.path());
        }
        if (match instanceof Router.Match.WrongMethod wrong) {
            throw HttpProblem.methodNotAllowed(wrong.allowed());
        }
        Router.Match.Found found = (Router.Match.Found) match;
        MDC.put(ROUTE, found.route().method() + " " + found.route().template());
        // In AWS the authorizer refuses an anonymous call before it reaches us; here too, before the body.
        if (!found.route().anonymous() && request.caller().isEmpty()) {
            throw new HttpProblem(Problem.UNAUTHENTICATED, "problem.unauthenticated.detail");
        }
        if (request.body() != null && request.body().getBytes(StandardCharsets.UTF_8).length > MAX_BODY_BYTES) {
            throw new HttpProblem(Problem.PAYLOAD_TOO_LARGE, "problem.payload-too-large.detail", MAX_BODY_BYTES / 1024);
        }
        return found.route().handler().handle(request.withPathParams(found.params()));
    }

    private ApiRequest toRequest(APIGatewayV2HTTPEvent event, Locale language) {
        APIGatewayV2HTTPEvent.RequestContext context = event.getRequestContext();
        if (context == null || context.getHttp() == null || context.getHttp().getMethod() == null) {
            throw new HttpProblem(Problem.BAD_REQUEST, "problem.event.malformed");
        }
        String method = context.getHttp().getMethod().toUpperCase(Locale.ROOT);
        String path = event.getRawPath() != null ? event.getRawPath() : context.getHttp().getPath();
        if (path == null) {
            throw new HttpProblem(Problem.BAD_REQUEST, "problem.event.malformed");
        }
        Map<String, String> query = event.getQueryStringParameters() == null ? Map.of()
                : Map.copyOf(event.getQueryStringParameters());
        return new ApiRequest(method, path, Map.of(), query, lowerCaseHeaders(event), body(event), caller(context),
                language);
    }

    /**
     * The body as text. JSON is UTF-8 (RFC 8259 §8.1) and a body that is not is malformed (400): decoded with a
     * decoder that reports malformed input rather than replacing it with U+FFFD, which would slip a changed
     * value through. A body API Gateway passed as text cannot hold bytes that are not UTF-8, but it can hold
     * half a surrogate pair (a producer's spelling of such bytes, Python's {@code surrogateescape} for one):
     * refused likewise. Its size is checked with the route, once the caller is known (dispatch).
     */
    private static String body(APIGatewayV2HTTPEvent event) {
        String body = event.getBody();
        if (body == null) {
            return null;
        }
        if (!event.getIsBase64Encoded()) {
            if (!StandardCharsets.UTF_8.newEncoder().canEncode(body)) {
                throw new HttpProblem(Problem.BAD_REQUEST, "problem.body.not-utf8");
            }
            return body;
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new HttpProblem(Problem.BAD_REQUEST, "problem.body.malformed");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new HttpProblem(Problem.BAD_REQUEST, "problem.body.not-utf8");
        }
    }

    /** The caller is the JWT authorizer's {@code sub} claim, never anything the client wrote itself. */
    private static Optional<String> caller(APIGatewayV2HTTPEvent.RequestContext context) {
        return Optional.ofNullable(context.getAuthorizer())
                .map(APIGatewayV2HTTPEvent.RequestContext.Authorizer::getJwt)
                .map(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT::getClaims)
                .map(claims -> claims.get("sub"))
                .filter(sub -> !sub.isBlank());
    }

    private static Map<String, String> lowerCaseHeaders(APIGatewayV2HTTPEvent event) {
        Map<String, String> headers = new HashMap<>();
        if (event.getHeaders() != null) {
            event.getHeaders().forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), value));
        }
        return headers;
    }

    private static String method(APIGatewayV2HTTPEvent event) {
        return event.getRequestContext() == null || event.getRequestContext().getHttp() == null ? "-"
                : String.valueOf(event.getRequestContext().getHttp().getMethod());
    }

    private static String requestId(APIGatewayV2HTTPEvent event) {
        return event.getRequestContext() == null ? "-" : String.valueOf(event.getRequestContext().getRequestId());
    }

    private APIGatewayV2HTTPResponse toEvent(ApiResponse response) {
        Map<String, String> headers = new LinkedHashMap<>(response.headers());
        String body = null;
        if (response.body() != null) {
            headers.putIfAbsent("content-type", "application/json");
            body = json.write(response.body());
        }
        return APIGatewayV2HTTPResponse.builder().withStatusCode(response.status()).withHeaders(headers)
                .withBody(body).withIsBase64Encoded(false).build();
    }

    private APIGatewayV2HTTPResponse problem(Problem problem, Locale language, String detailKey, List<Object> args,
            List<FieldError> errors, String allow) {
        return problem(problem, language, detailKey, args, errors, allow, null);
    }

    private APIGatewayV2HTTPResponse problem(Problem problem, Locale language, String detailKey, List<Object> args,
            List<FieldError> errors, String allow, String requestId) {
        List<ProblemBody.FieldMessage> fields = errors.stream()
                .map(e -> new ProblemBody.FieldMessage(e.field(), texts.text(language, e.messageKey(), e.args())))
                .toList();
        ProblemBody body = new ProblemBody(problem.type(), texts.text(language, problem.titleKey()), problem.status(),
                texts.text(language, detailKey, args), fields, requestId);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/problem+json");
        headers.put("content-language", language.getLanguage());
        if (allow != null) {
            headers.put("allow", allow);
        }
        if (problem == Problem.UNAVAILABLE) {
            headers.put("retry-after", "5");
        }
        return APIGatewayV2HTTPResponse.builder().withStatusCode(problem.status()).withHeaders(headers)
                .withBody(json.write(body)).withIsBase64Encoded(false).build();
    }

}
