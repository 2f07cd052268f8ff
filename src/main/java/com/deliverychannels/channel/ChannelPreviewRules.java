package com.deliverychannels.channel;

import java.util.ArrayList;
import java.util.List;

/**
 * The per-channel rules of what recipients see (CONTRACT §1): whose address shows in From, the "via" tag,
 * Sent copy, bounce tracking, and the sentences that explain the nuances to the sender.
 */
public final class ChannelPreviewRules {
    private final String senderDomain;

    public ChannelPreviewRules(String senderDomain) {
        this.senderDomain = senderDomain;
    }

    /** The preview for {@code settings}, given the default identity's address (null without identities). */
    public Preview preview(ChannelSettings settings, String defaultIdentityAddress) {
        ChannelType channel = settings.active();
        List<PreviewNote> notes = new ArrayList<>();
        String from = defaultIdentityAddress;
        if (defaultIdentityAddress == null && channel.from() == ChannelType.FromSource.IDENTITY) {
            notes.add(PreviewNote.of("preview.no-identity"));
        }
        switch (channel) {
            case MSC -> {
                notes.add(PreviewNote.of("preview.msc.via", senderDomain));
                notes.add(PreviewNote.of("preview.msc.bounces"));
                notes.add(PreviewNote.of("preview.msc.no-sent-copy"));
            }
            case GMAIL -> {
                GmailConnection gmail = settings.gmail();
                from = gmail == null ? null : gmail.address();
                if (gmail != null && defaultIdentityAddress != null
                        && !gmail.address().equalsIgnoreCase(defaultIdentityAddress)) {
                    notes.add(PreviewNote.of("preview.gmail.from-account", gmail.address(), defaultIdentityAddress));
                }
                if (gmail != null && gmail.status() == GmailStatus.RECONNECT_REQUIRED) {
                    notes.add(PreviewNote.of("preview.gmail.reconnect"));
                }
                notes.add(PreviewNote.of("preview.gmail.sent-copy"));
                notes.add(PreviewNote.of("preview.no-bounces"));
            }
            case SMTP -> {
                SmtpSettings smtp = settings.smtp();
                if (smtp != null && smtp.status() == SmtpStatus.AUTH_FAILED) {
                    notes.add(PreviewNote.of("preview.smtp.auth-failed", smtp.host()));
                } else if (smtp != null && smtp.status() == SmtpStatus.UNVERIFIED) {
                    notes.add(PreviewNote.of("preview.smtp.unverified", smtp.host()));
                }
                notes.add(PreviewNote.of("preview.smtp.from-rewrite"));
                notes.add(PreviewNote.of("preview.smtp.sent-copy"));
                notes.add(PreviewNote.of("preview.no-bounces"));
            }
        }
        return new Preview(defaultIdentityAddress, from, channel.viaTag(), channel.bounceTracking(),
                channel.sentFolderCopy(), List.copyOf(notes));
    }
}
