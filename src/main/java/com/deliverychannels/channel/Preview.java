package com.deliverychannels.channel;

import java.util.List;

/**
 * What a recipient will see of the next message on the active channel.
 *
 * @param identityAddress the default identity's address; null without identities
 * @param from            the address recipients will see in From; null when it cannot be known yet
 */
public record Preview(String identityAddress, String from, boolean viaTag, boolean bounceTracking,
        boolean sentFolderCopy, List<PreviewNote> notes) {
}
