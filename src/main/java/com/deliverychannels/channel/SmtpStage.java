package com.deliverychannels.channel;

/** How far an SMTP verification got. */
public enum SmtpStage {
    CONNECT, TLS, AUTH, DONE
}
