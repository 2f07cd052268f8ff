package com.deliverychannels.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class ChannelPreviewRulesTest {
    private static final String SENDER_DOMAIN = "mail.sender-example.net";
    private static final String IDENTITY = "ana@acme.example";
    private static final String GMAIL_ADDRESS = "ana.rossi@gmail.com";
    private static final Instant AT = Instant.parse("2026-03-14T09:26:53Z");

    private final ChannelPreviewRules rules = new ChannelPreviewRules(SENDER_DOMAIN);

    private static SmtpSettings smtp(SmtpStatus status) {
        return new SmtpSettings("smtp.acme.example", 587, SmtpSecurity.STARTTLS, "ana", "v1.k1.sealed",
                SmtpAuthMethod.LOGIN, status, AT);
    }

    private static GmailConnection gmail(String address, GmailStatus status) {
        return new GmailConnection(address, "v1.k1.sealed-token", status, AT);
    }

    /** Settings with both connections present, so only the active channel decides. */
    private static ChannelSettings settings(ChannelType active) {
        return new ChannelSettings(active, "identity-1", smtp(SmtpStatus.OK), gmail(GMAIL_ADDRESS, GmailStatus.CONNECTED),
                3, AT);
    }

    private static List<String> keys(Preview preview) {
        return preview.notes().stream().map(PreviewNote::key).toList();
    }

    private static Optional<PreviewNote> note(Preview preview, String key) {
        return preview.notes().stream().filter(n -> n.key().equals(key)).findFirst();
    }

    @ParameterizedTest
    @CsvSource({
            "MSC,   ana@acme.example",
            "SMTP,  ana@acme.example",
            "GMAIL, ana.rossi@gmail.com",
    })
    void fromIsTheIdentityOrTheGmailAccount(ChannelType active, String expectedFrom) {
        Preview preview = rules.preview(settings(active), IDENTITY);
        assertEquals(expectedFrom, preview.from());
        assertEquals(IDENTITY, preview.identityAddress());
    }

    @ParameterizedTest
    @CsvSource({
            // channel, viaTag, bounceTracking, sentFolderCopy
            "MSC,   true,  true,  false",
            "GMAIL, false, false, true",
            "SMTP,  false, false, false",
    })
    void recipientFactsFollowTheChannel(ChannelType active, boolean viaTag, boolean bounceTracking,
            boolean sentFolderCopy) {
        for (String identity : new String[] {IDENTITY, null}) {
            Preview preview = rules.preview(settings(active), identity);
            assertEquals(viaTag, preview.viaTag(), "viaTag");
            assertEquals(bounceTracking, preview.bounceTracking(), "bounceTracking");
            assertEquals(sentFolderCopy, preview.sentFolderCopy(), "sentFolderCopy");
        }
    }

    @Test
    void mscViaNoteCarriesTheSenderDomain() {
        Preview preview = rules.preview(settings(ChannelType.MSC), IDENTITY);
        assertEquals(Optional.of(PreviewNote.of("preview.msc.via", SENDER_DOMAIN)), note(preview, "preview.msc.via"));
        assertEquals(List.of("preview.msc.via", "preview.msc.bounces", "preview.msc.no-sent-copy"), keys(preview));
    }

    @Test
    void mscViaNoteFollowsTheConfiguredDomain() {
        Preview preview = new ChannelPreviewRules("relay.other.example").preview(settings(ChannelType.MSC), IDENTITY);
        assertEquals(List.of("relay.other.example"), note(preview, "preview.msc.via").orElseThrow().args());
    }

    @ParameterizedTest
    @EnumSource(value = ChannelType.class, names = {"GMAIL", "SMTP"})
    void onlyMscMentionsTheViaTag(ChannelType active) {
        Preview preview = rules.preview(settings(active), IDENTITY);
        assertTrue(keys(preview).stream().noneMatch(k -> k.startsWith("preview.msc.")), keys(preview)::toString);
        assertTrue(keys(preview).contains("preview.no-bounces"), keys(preview)::toString);
    }

    @ParameterizedTest
    @EnumSource(value = ChannelType.class, names = {"MSC", "SMTP"})
    void withoutIdentitiesIdentityChannelsSayThereIsNoSender(ChannelType active) {
        Preview preview = rules.preview(settings(active), null);
        assertNull(preview.from());
        assertNull(preview.identityAddress());
        assertEquals("preview.no-identity", keys(preview).get(0));
    }

    @ParameterizedTest
    @EnumSource(ChannelType.class)
    void withAnIdentityThereIsNoNoIdentityNote(ChannelType active) {
        assertFalse(keys(rules.preview(settings(active), IDENTITY)).contains("preview.no-identity"));
    }

    @Test
    void gmailNeedsNoIdentityBecauseTheAccountSends() {
        Preview preview = rules.preview(settings(ChannelType.GMAIL), null);
        assertEquals(GMAIL_ADDRESS, preview.from());
        assertNull(preview.identityAddress());
        assertFalse(keys(preview).contains("preview.no-identity"), keys(preview)::toString);
        assertFalse(keys(preview).contains("preview.gmail.from-account"), keys(preview)::toString);
    }

    @Test
    void gmailNotesThatTheAccountAddressReplacesADifferentIdentity() {
        Preview preview = rules.preview(settings(ChannelType.GMAIL), IDENTITY);
        assertEquals(Optional.of(PreviewNote.of("preview.gmail.from-account", GMAIL_ADDRESS, IDENTITY)),
                note(preview, "preview.gmail.from-account"));
    }

    @ParameterizedTest
    @CsvSource({"ana.rossi@gmail.com", "Ana.Rossi@Gmail.com", "ANA.ROSSI@GMAIL.COM"})
    void gmailSaysNothingWhenTheIdentityIsTheAccount(String identity) {
        Preview preview = rules.preview(settings(ChannelType.GMAIL), identity);
        assertEquals(GMAIL_ADDRESS, preview.from());
        assertEquals(List.of("preview.gmail.sent-copy", "preview.no-bounces"), keys(preview));
    }

    static Stream<Arguments> gmailStatuses() {
        return Stream.of(
                Arguments.of(GmailStatus.CONNECTED, false),
                Arguments.of(GmailStatus.RECONNECT_REQUIRED, true));
    }

    @ParameterizedTest
    @MethodSource("gmailStatuses")
    void gmailAsksToReconnectOnlyWhenRequired(GmailStatus status, boolean reconnect) {
        ChannelSettings settings = settings(ChannelType.GMAIL).withGmail(gmail(GMAIL_ADDRESS, status));
        Preview preview = rules.preview(settings, IDENTITY);
        assertEquals(reconnect, keys(preview).contains("preview.gmail.reconnect"), keys(preview)::toString);
        assertEquals(GMAIL_ADDRESS, preview.from());
    }

    @ParameterizedTest
    @CsvSource({
            "OK,          ",
            "AUTH_FAILED, preview.smtp.auth-failed",
            "UNVERIFIED,  preview.smtp.unverified",
    })
    void smtpStatusNoteNamesTheHost(SmtpStatus status, String expectedNote) {
        ChannelSettings settings = settings(ChannelType.SMTP).withSmtp(smtp(status));
        Preview preview = rules.preview(settings, IDENTITY);
        List<String> statusNotes = keys(preview).stream()
                .filter(k -> k.equals("preview.smtp.auth-failed") || k.equals("preview.smtp.unverified")).toList();
        if (expectedNote == null) {
            assertEquals(List.of(), statusNotes);
        } else {
            assertEquals(List.of(expectedNote), statusNotes);
            assertEquals(List.of("smtp.acme.example"), note(preview, expectedNote).orElseThrow().args());
        }
        assertEquals(IDENTITY, preview.from());
    }

    @Test
    void smtpExplainsRewriteSentCopyAndBounces() {
        Preview preview = rules.preview(settings(ChannelType.SMTP), IDENTITY);
        assertEquals(List.of("preview.smtp.from-rewrite", "preview.smtp.sent-copy", "preview.no-bounces"), keys(preview));
    }

    @Test
    void authFailedShowsEvenWithoutIdentities() {
        ChannelSettings settings = settings(ChannelType.SMTP).withSmtp(smtp(SmtpStatus.AUTH_FAILED));
        List<String> keys = keys(rules.preview(settings, null));
        assertTrue(keys.contains("preview.no-identity"), keys::toString);
        assertTrue(keys.contains("preview.smtp.auth-failed"), keys::toString);
    }

    @Test
    void inactiveConnectionsDoNotChangeTheMscPreview() {
        ChannelSettings troubled = settings(ChannelType.MSC)
                .withSmtp(smtp(SmtpStatus.AUTH_FAILED))
                .withGmail(gmail(GMAIL_ADDRESS, GmailStatus.RECONNECT_REQUIRED));
        Preview preview = rules.preview(troubled, IDENTITY);
        assertEquals(IDENTITY, preview.from());
        assertEquals(List.of("preview.msc.via", "preview.msc.bounces", "preview.msc.no-sent-copy"), keys(preview));
    }

    @Test
    void initialSettingsPreviewMsc() {
        Preview preview = rules.preview(ChannelSettings.initial(), IDENTITY);
        assertEquals(IDENTITY, preview.from());
        assertTrue(preview.viaTag());
        assertTrue(preview.bounceTracking());
    }

    @Test
    void notesCannotBeChangedByTheCaller() {
        Preview preview = rules.preview(settings(ChannelType.MSC), IDENTITY);
        org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class, () -> preview.notes().clear());
    }
}
