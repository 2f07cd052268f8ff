package com.deliverychannels.http;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.deliverychannels.bounce.FailedDeliveries;
import com.deliverychannels.bounce.FailedDelivery;
import com.deliverychannels.bounce.FailedDeliveryPage;
import com.deliverychannels.channel.ChannelService;
import com.deliverychannels.channel.ChannelSettings;
import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.channel.IdentityChange;
import com.deliverychannels.channel.IdentityService;
import com.deliverychannels.channel.IdentityView;
import com.deliverychannels.channel.SmtpSettingsChange;
import com.deliverychannels.channel.SmtpVerification;
import com.deliverychannels.core.FieldError;

/**
 * The {@code channels} function's routes (CONTRACT §3): each converts JSON to a domain call and the
 * result back, localizing texts meant for people.
 */
@ApplicationScoped
public class ChannelsRoutes {
    private final ChannelService channels;
    private final IdentityService identities;
    private final FailedDeliveries failedDeliveries;
    private final JsonBodies json;
    private final Texts texts;
    private final Router router;

    public ChannelsRoutes(ChannelService channels, IdentityService identities, FailedDeliveries failedDeliveries,
            JsonBodies json, Texts texts) {
        this.channels = channels;
        this.identities = identities;
        this.failedDeliveries = failedDeliveries;
        this.json = json;
        this.texts = texts;
        this.router = Router.builder()
                .route("GET", "/v1/channels", this::options)
                .route("GET", "/v1/channel", r -> ApiResponse.ok(view(channels.view(r.user()), r.language())))
                .route("PUT", "/v1/channel", this::activate)
                .route("PUT", "/v1/channel/smtp", this::saveSmtp)
                .route("POST", "/v1/channel/smtp/verify", this::verifySmtp)
                .route("DELETE", "/v1/channel/smtp", r -> {
                    channels.deleteSmtp(r.user());
                    return ApiResponse.noContent();
                })
                .route("POST", "/v1/channel/gmail", this::connectGmail)
                .route("DELETE", "/v1/channel/gmail", r -> {
                    channels.deleteGmail(r.user());
                    return ApiResponse.noContent();
                })
                .route("GET", "/v1/identities", r -> ApiResponse.ok(new ChannelsJson.Identities(
                        identities.list(r.user()).stream().map(ChannelsRoutes::identity).toList())))
                .route("POST", "/v1/identities", r -> ApiResponse.created(identity(
                        identities.create(r.user(), identityChange(json.read(r, ChannelsJson.IdentityRequest.class))))))
                .route("PUT", "/v1/identities/{id}", r -> ApiResponse.ok(identity(identities.update(r.user(),
                        r.pathParam("id"), identityChange(json.read(r, ChannelsJson.IdentityRequest.class))))))
                .route("DELETE", "/v1/identities/{id}", r -> {
                    identities.delete(r.user(), r.pathParam("id"));
                    return ApiResponse.noContent();
                })
                .route("GET", "/v1/failed-deliveries", this::failedDeliveries)
                .route("DELETE", "/v1/failed-deliveries/{id}", r -> {
                    failedDeliveries.dismiss(r.user(), r.pathParam("id"));
                    return ApiResponse.noContent();
                })
                .build();
    }

    /** The routes this function serves. */
    public Router router() {
        return router;
    }

    private ApiResponse options(ApiRequest request) {
        request.user();
        Locale language = request.language();
        List<ChannelsJson.ChannelOption> options = Arrays.stream(ChannelType.values())
                .map(type -> new ChannelsJson.ChannelOption(type.name(),
                        texts.text(language, "channel." + type.name() + ".name"),
                        texts.text(language, "channel." + type.name() + ".description"),
                        type == ChannelType.DEFAULT, type.from().name(), type.viaTag(), type.sentFolderCopy(),
                        type.bounceTracking(), type.sendFailureTracking(), type.allowListable()))
                .toList();
        return ApiResponse.ok(new ChannelsJson.ChannelOptions(options));
    }

    private ApiResponse activate(ApiRequest request) {
        String user = request.user();
        ChannelsJson.ActiveChannelRequest body = json.read(request, ChannelsJson.ActiveChannelRequest.class);
        if (body.active() == null) {
            throw new com.deliverychannels.core.InvalidInputException(FieldError.of("active", "field.required"));
        }
        return ApiResponse.ok(view(channels.activate(user, body.active()), request.language()));
    }

    private ApiResponse saveSmtp(ApiRequest request) {
        String user = request.user();
        ChannelsJson.SmtpSettingsRequest body = json.read(request, ChannelsJson.SmtpSettingsRequest.class);
        SmtpSettingsChange change = new SmtpSettingsChange(body.host(), body.port(), body.security(), body.username(),
                body.password(), body.authMethod());
        return ApiResponse.ok(view(channels.saveSmtp(user, change), request.language()));
    }

    private ApiResponse verifySmtp(ApiRequest request) {
        SmtpVerification result = channels.verifySmtp(request.user());
        String detail = texts.text(request.language(), result.messageKey());
        if (result.serverReply() != null && !result.serverReply().isBlank()) {
            detail = detail + " (" + result.serverReply() + ")";
        }
        return ApiResponse.ok(new ChannelsJson.SmtpVerification(result.ok(), result.stage().name(), detail));
    }

    private ApiResponse connectGmail(ApiRequest request) {
        String user = request.user();
        ChannelsJson.GmailConnectRequest body = json.read(request, ChannelsJson.GmailConnectRequest.class);
        return ApiResponse.ok(view(channels.connectGmail(user, body.code(), body.redirectUri()), request.language()));
    }

    private ApiResponse failedDeliveries(ApiRequest request) {
        String user = request.user();
        Optional<Integer> limit = request.queryParam("limit").map(value -> {
            try {
                return Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new HttpProblem(Problem.BAD_REQUEST, "problem.query.field",
                        List.of(FieldError.of("limit", "field.integer")), "limit");
            }
        });
        FailedDeliveryPage page = failedDeliveries.page(user, limit, request.queryParam("cursor"));
        return ApiResponse.ok(new ChannelsJson.FailedDeliveries(
                page.items().stream().map(ChannelsRoutes::failedDelivery).toList(), page.nextCursor()));
    }

    private ChannelsJson.ChannelView view(com.deliverychannels.channel.ChannelView view, Locale language) {
        ChannelSettings settings = view.settings();
        ChannelsJson.Gmail gmail = settings.gmail() == null ? null : new ChannelsJson.Gmail(settings.gmail().address(),
                settings.gmail().status().name(), settings.gmail().connectedAt());
        ChannelsJson.Smtp smtp = settings.smtp() == null ? null : new ChannelsJson.Smtp(settings.smtp().host(),
                settings.smtp().port(), settings.smtp().security().name(), settings.smtp().username(),
                settings.smtp().authMethod().name(), settings.smtp().status().name(), settings.smtp().updatedAt());
        var preview = view.preview();
        List<String> notes = preview.notes().stream().map(n -> texts.text(language, n.key(), n.args())).toList();
        return new ChannelsJson.ChannelView(settings.active().name(), gmail, smtp, new ChannelsJson.Preview(
                preview.identityAddress(), preview.from(), preview.viaTag(), preview.bounceTracking(),
                preview.sentFolderCopy(), notes));
    }

    private static IdentityChange identityChange(ChannelsJson.IdentityRequest body) {
        return new IdentityChange(body.name(), body.address(), body.isDefault());
    }

    private static ChannelsJson.Identity identity(IdentityView view) {
        return new ChannelsJson.Identity(view.identity().id(), view.identity().name(), view.identity().address(),
                view.isDefault());
    }

    private static ChannelsJson.FailedDelivery failedDelivery(FailedDelivery f) {
        return new ChannelsJson.FailedDelivery(f.id(), f.deliveryId(), f.recipient(), f.subject(), f.channel().name(),
                f.reason().name(), f.bounceType(), f.bounceSubType(), f.diagnostic(), f.occurredAt(),
                new ChannelsJson.Retry(f.retry().state().name(), f.retry().attempts(), f.retry().nextAttemptAt()));
    }
}
