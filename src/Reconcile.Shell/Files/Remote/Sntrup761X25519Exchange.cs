using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Org.BouncyCastle.Math.EC.Rfc7748;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Messages;
using Renci.SshNet.Messages.Transport;
using Renci.SshNet.Security;

namespace Reconcile.Shell.Files.Remote;

/// <summary>
/// OpenSSH's default key exchange, <c>sntrup761x25519-sha512@openssh.com</c> (also named without the
/// suffix), carried out with <see cref="Sntrup761"/> in place of SSH.NET's own, whose key generation and
/// decapsulation cost about 90 ms of CPU per login here. Same messages, same hash, same shared secret:
/// the client sends its sntrup761 public key and an X25519 one; the server answers with a ciphertext, its
/// X25519 key, its host key and its signature; the shared secret is SHA-512 of both secrets, and the
/// exchange hash (SHA-512) is signed by the host key, which SSH.NET checks and offers to the host-key
/// callback as for any other exchange.
/// </summary>
internal sealed class Sntrup761X25519Exchange : KeyExchange
{
    private const int X25519Bytes = 32;

    private readonly string name;
    private byte[] clientPayload = [];
    private byte[] serverPayload = [];
    private byte[] clientValue = [];
    private byte[] serverValue = [];
    private byte[] hostKey = [];
    private byte[] signature = [];
    private Sntrup761? kem;
    private byte[]? x25519Secret;
    private EventHandler<MessageEventArgs<KeyExchangeEcdhReplyMessage>>? replyHandler;

    public Sntrup761X25519Exchange(string name) => this.name = name;

    public override string Name => name;

    /// <summary>Puts this exchange in the place of SSH.NET's under both of its names, keeping the order offered.</summary>
    public static ConnectionInfo UseFor(ConnectionInfo info)
    {
        foreach (var exchangeName in new[] { "sntrup761x25519-sha512@openssh.com", "sntrup761x25519-sha512" })
        {
            if (info.KeyExchangeAlgorithms.ContainsKey(exchangeName))
            {
                info.KeyExchangeAlgorithms[exchangeName] = () => new Sntrup761X25519Exchange(exchangeName);
            }
        }
        return info;
    }

    public override void Start(Session session, KeyExchangeInitMessage message, bool sendClientInitMessage)
    {
        base.Start(session, message, sendClientInitMessage);
        serverPayload = message.GetBytes();
        clientPayload = session.ClientInitMessage.GetBytes();
        session.RegisterMessage("SSH_MSG_KEX_ECDH_REPLY");
        replyHandler = OnReply;
        SessionAccess.AddEcdhReplyHandler(session, replyHandler);

        kem = Sntrup761.Generate();
        x25519Secret = new byte[X25519Bytes];
        RandomNumberGenerator.Fill(x25519Secret);
        X25519.ClampPrivateKey(x25519Secret);
        var x25519Public = new byte[X25519Bytes];
        X25519.GeneratePublicKey(x25519Secret, x25519Public);
        clientValue = [.. kem.PublicKey, .. x25519Public];
        SendMessage((Message)SessionAccess.NewEcdhInitMessage(clientValue));
    }

    private void OnReply(object? sender, MessageEventArgs<KeyExchangeEcdhReplyMessage> e)
    {
        Session.UnRegisterMessage("SSH_MSG_KEX_ECDH_REPLY");
        if (replyHandler is not null)
        {
            SessionAccess.RemoveEcdhReplyHandler(Session, replyHandler);
        }
        var reply = e.Message;
        hostKey = reply.KS;
        signature = reply.Signature;
        serverValue = reply.QS;
        if (serverValue.Length != Sntrup761.CiphertextBytes + X25519Bytes || kem is null || x25519Secret is null)
        {
            throw new SshConnectionException($"the server's key exchange value is {serverValue.Length} bytes, not {Sntrup761.CiphertextBytes + X25519Bytes}", DisconnectReason.KeyExchangeFailed);
        }
        var kemSecret = kem.Decapsulate(serverValue.AsSpan(0, Sntrup761.CiphertextBytes));
        var agreed = new byte[X25519Bytes];
        if (!X25519.CalculateAgreement(x25519Secret, serverValue.AsSpan(Sntrup761.CiphertextBytes), agreed))
        {
            throw new SshConnectionException("the server's X25519 key gives no shared secret", DisconnectReason.KeyExchangeFailed);
        }
        SharedKey = SHA512.HashData([.. kemSecret, .. agreed]);
        CryptographicOperations.ZeroMemory(x25519Secret);
        kem = null;
        Finish();
    }

    protected override bool ValidateExchangeHash() => SessionAccess.ValidateExchangeHash(this, hostKey, signature);

    /// <summary>The exchange hash: SHA-512 over V_C, V_S, I_C, I_S, K_S, Q_C, Q_S and K, each as an SSH string.</summary>
    protected override byte[] CalculateHash()
    {
        var clientVersion = System.Text.Encoding.ASCII.GetBytes(Session.ClientVersion);
        var serverVersion = System.Text.Encoding.ASCII.GetBytes(Session.ServerVersion);
        byte[][] parts = [clientVersion, serverVersion, clientPayload, serverPayload, hostKey, clientValue, serverValue, SharedKey];
        var data = new byte[parts.Sum(p => 4 + p.Length)];
        var at = 0;
        foreach (var part in parts)
        {
            BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(at), part.Length);
            part.CopyTo(data, at + 4);
            at += 4 + part.Length;
        }
        return Hash(data);
    }

    protected override byte[] Hash(byte[] hashData) => SHA512.HashData(hashData);

    /// <summary>What this exchange needs of SSH.NET that it keeps to itself: the reply event, the init message, and the host key's check.</summary>
    private static class SessionAccess
    {
        [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "add_KeyExchangeEcdhReplyMessageReceived")]
        public static extern void AddEcdhReplyHandler(Session session, EventHandler<MessageEventArgs<KeyExchangeEcdhReplyMessage>> handler);

        [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "remove_KeyExchangeEcdhReplyMessageReceived")]
        public static extern void RemoveEcdhReplyHandler(Session session, EventHandler<MessageEventArgs<KeyExchangeEcdhReplyMessage>> handler);

        [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
        [return: UnsafeAccessorType("Renci.SshNet.Messages.Transport.KeyExchangeEcdhInitMessage, Renci.SshNet")]
        public static extern object NewEcdhInitMessage(byte[] clientValue);

        [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "ValidateExchangeHash")]
        public static extern bool ValidateExchangeHash(KeyExchange exchange, byte[] encodedKey, byte[] encodedSignature);
    }
}
