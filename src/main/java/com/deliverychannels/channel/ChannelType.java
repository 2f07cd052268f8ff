package com.deliverychannels.channel;

/**
 * The three delivery channels and what each means for a sender (CONTRACT §1). The facts here drive both
 * the channel options users choose from and the preview of what recipients will see.
 */
public enum ChannelType {
    /** Our mail servers (Amazon SES): the default, the only one that learns of bounces. */
    MSC(FromSource.IDENTITY, true, false, true, false),
    /** The user's Gmail account over XOAUTH2: Gmail shows the account's address and files a Sent copy. */
    GMAIL(FromSource.CONNECTED_ACCOUNT, false, true, false, true),
    /** The user's own SMTP server (Exchange too): the user's domain and reputation. */
    SMTP(FromSource.IDENTITY, false, false, false, true);

    /** The channel of a user who never chose one. */
    public static final ChannelType DEFAULT = MSC;

    private final FromSource from;
    private final boolean viaTag;
    private final boolean sentFolderCopy;
    private final boolean bounceTracking;
    private final boolean allowListable;

    ChannelType(FromSource from, boolean viaTag, boolean sentFolderCopy, boolean bounceTracking, boolean allowListable) {
        this.from = from;
        this.viaTag = viaTag;
        this.sentFolderCopy = sentFolderCopy;
        this.bounceTracking = bounceTracking;
        this.allowListable = allowListable;
    }

    /** Whose address recipients see in From. */
    public FromSource from() {
        return from;
    }

    /** Whether recipients' mail apps show "via" our domain (our envelope sender and DKIM signature). */
    public boolean viaTag() {
        return viaTag;
    }

    /** Whether the sender's mailbox keeps a copy in Sent (for SMTP it depends on the server: not promised). */
    public boolean sentFolderCopy() {
        return sentFolderCopy;
    }

    /** Whether asynchronous bounces and complaints reach us and become failed deliveries. */
    public boolean bounceTracking() {
        return bounceTracking;
    }

    /** Failures during the SMTP transaction are recorded for every channel. */
    public boolean sendFailureTracking() {
        return true;
    }

    /** Whether recipients' IT can allow-list the sending servers and domain (DMARC aligned to the user's domain). */
    public boolean allowListable() {
        return allowListable;
    }

    /** Parses a channel name as sent by a client; empty when it names none. */
    public static java.util.Optional<ChannelType> parse(String value) {
        for (ChannelType type : values()) {
            if (type.name().equals(value)) {
                return java.util.Optional.of(type);
            }
        }
        return java.util.Optional.empty();
    }

    /** Whose address a message shows in From. */
    public enum FromSource {
        /** The sending identity the user chose. */
        IDENTITY,
        /** The connected account, whatever identity was chosen. */
        CONNECTED_ACCOUNT
    }
}
