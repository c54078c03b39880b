import { createHash, type Hash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ARCHIVE_SIG, ASSET_SIG, signatureOf } from "../gate/engineEncoding";

/**
 * The hashes the engine gives every asset and archive of a registration before anything sees it:
 * it unmarshals a RegisterResource request with ComputeAssetHashes (pkg/resource/deploy/
 * source_eval.go; sdk/go/common/resource/plugin/rpc.go), resolving relative paths against the
 * project directory. Providers, policy packs and the state then carry the `hash`, and the engine
 * compares assets and archives by it alone (archive.go and asset.go `Equals`).
 *  - An asset's hash is the SHA-256 of its bytes (asset.go EnsureHash): its text, or its file.
 *  - An archive of assets is hashed as the tar the engine writes of it (archive.go EnsureHashWithWD →
 *    archiveTar, addNextFileToTar): members in sorted name order (a nested archive's members under
 *    its name; a name seen before is skipped), each a tar.Header{Name, Mode: 0o600, Size} — which Go's
 *    archive/tar writes as a USTAR header: typeflag '0', uid/gid/mtime 0, octal fields NUL-terminated,
 *    magic "ustar\0" + "00", checksum as 6 octal digits, NUL, space — then the bytes, padded to 512,
 *    and two zero blocks to end. The empty archive's hash is the engine's own test vector
 *    (sdk/go/common/resource/asset_test.go: 5f70bf18…).
 * Where it stops: remote (`uri`) members, path archives (directories, .zip/.tar files) and member
 * names a USTAR header cannot hold (over 100 bytes, or not ASCII: Go would switch to PAX) are left
 * without a hash, as the program registers none of them; their contents are not guessed.
 */
export function withAssetHashes<T>(value: T, workingDirectory: string): T {
  return addHashes(value, workingDirectory) as T;
}

/** The value with hashes added, sharing every part that holds no asset (most of them). */
function addHashes(value: unknown, wd: string): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const out = value.map((v) => addHashes(v, wd));
    return out.every((v, i) => v === value[i]) ? value : out;
  }
  const object = value as Record<string, unknown>;
  const sig = signatureOf(object);
  if (sig === ASSET_SIG || sig === ARCHIVE_SIG) {
    if (typeof object.hash === "string" && object.hash !== "") return object;
    const out: Record<string, unknown> = { ...object };
    if (sig === ARCHIVE_SIG && isPlainObject(object.assets)) {
      out.assets = Object.fromEntries(Object.entries(object.assets).map(([name, member]) => [name, addHashes(member, wd)]));
    }
    const hash = sig === ASSET_SIG ? assetHash(object, wd) : archiveHash(object, wd);
    if (hash !== undefined) out.hash = hash;
    return out;
  }
  const entries = Object.entries(object);
  const hashed = entries.map(([, v]) => addHashes(v, wd));
  // fromEntries: a key named "__proto__" stays a property.
  return hashed.every((v, i) => v === entries[i]?.[1]) ? object : Object.fromEntries(entries.map(([key], i) => [key, hashed[i]]));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One member's bytes, fed to a hash when needed; `identity` names a file's version without reading it. */
interface Blob {
  readonly size: number;
  /** For a file: its path, inode, size and modification time (a text member has none: it is hashed every time). */
  readonly identity?: string;
  feed(hash: Hash): void;
}

function blobOf(asset: Record<string, unknown>, wd: string): Blob | undefined {
  if (typeof asset.text === "string" && asset.text !== "") {
    const bytes = Buffer.from(asset.text, "utf8");
    return { size: bytes.length, feed: (hash) => hash.update(bytes) };
  }
  if (typeof asset.path === "string" && asset.path !== "") {
    const file = path.resolve(wd, asset.path);
    const stat = fs.statSync(file, { bigint: true });
    return { size: Number(stat.size), identity: `${file}:${stat.ino}:${stat.size}:${stat.mtimeNs}`, feed: (hash) => hash.update(fs.readFileSync(file)) };
  }
  // An asset with neither (the engine's empty asset) has no bytes; a remote one is not fetched offline.
  return typeof asset.uri === "string" && asset.uri !== "" ? undefined : { size: 0, identity: "", feed: () => undefined };
}

// The program registers the same files in every run (preview, then up): each version is hashed once.
const known = new Map<string, string>();

function memoized(identity: string | undefined, compute: () => string): string {
  if (identity === undefined) return compute();
  let hash = known.get(identity);
  if (hash === undefined) {
    hash = compute();
    known.set(identity, hash);
  }
  return hash;
}

function assetHash(asset: Record<string, unknown>, wd: string): string | undefined {
  const blob = blobOf(asset, wd);
  if (!blob) return undefined;
  return memoized(blob.identity === undefined ? undefined : `asset\0${blob.identity}`, () => {
    const hash = createHash("sha256");
    blob.feed(hash);
    return hash.digest("hex");
  });
}

function archiveHash(archive: Record<string, unknown>, wd: string): string | undefined {
  const members = new Map<string, Blob>();
  if (!collectMembers(archive, "", wd, members)) return undefined;
  const blobs = [...members.values()];
  const identity = blobs.every((b) => b.identity !== undefined) ? `archive\0${[...members].map(([name, b]) => `${name}\0${b.identity}`).join("\0")}` : undefined;
  return memoized(identity, () => {
    const hash = createHash("sha256");
    for (const [name, blob] of members) {
      hash.update(ustarHeader(name, blob.size));
      blob.feed(hash);
      hash.update(Buffer.alloc((BLOCK - (blob.size % BLOCK)) % BLOCK));
    }
    hash.update(Buffer.alloc(2 * BLOCK));
    return hash.digest("hex");
  });
}

/** Flattens an archive of assets the way the engine reads it (assetsArchiveReader); false where it cannot. */
function collectMembers(archive: Record<string, unknown>, root: string, wd: string, into: Map<string, Blob>): boolean {
  if (typeof archive.path === "string" && archive.path !== "") return false;
  if (typeof archive.uri === "string" && archive.uri !== "") return false;
  const assets = isPlainObject(archive.assets) ? archive.assets : {};
  // Go's sort.Strings: byte order, which for these names is UTF-16 order too (ASCII only, checked below).
  for (const name of Object.keys(assets).sort()) {
    const member = assets[name] as Record<string, unknown>;
    const full = root === "" ? name : path.posix.join(root, name);
    const sig = signatureOf(member);
    if (sig === ARCHIVE_SIG) {
      if (!collectMembers(member, full, wd, into)) return false;
      continue;
    }
    if (sig !== ASSET_SIG || !/^[\x20-\x7e]{1,100}$/.test(full)) return false;
    const blob = blobOf(member, wd);
    if (!blob) return false;
    if (!into.has(full)) into.set(full, blob);
  }
  return true;
}

const BLOCK = 512;

/** Go's archive/tar USTAR header for tar.Header{Name: name, Mode: 0o600, Size: size}. */
export function ustarHeader(name: string, size: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const octal = (offset: number, width: number, n: number) => block.write(`${n.toString(8).padStart(width - 1, "0")}\0`, offset, "ascii");
  block.write(name, 0, "ascii"); //        name[100]
  octal(100, 8, 0o600); //                 mode[8]
  octal(108, 8, 0); //                     uid[8]
  octal(116, 8, 0); //                     gid[8]
  octal(124, 12, size); //                 size[12]
  octal(136, 12, 0); //                    mtime[12]: a zero ModTime is written as the Unix epoch
  block.write("0", 156, "ascii"); //       typeflag: a regular file
  block.write("ustar\0" + "00", 257, "ascii"); // magic[6] + version[2]
  octal(329, 8, 0); //                     devmajor[8]
  octal(337, 8, 0); //                     devminor[8]
  // The checksum: the sum of the header's bytes with its own field read as spaces.
  block.fill(" ", 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return block;
}
