import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ARCHIVE_SIG, ASSET_SIG, SIG_KEY } from "../../../tools/gate/engineEncoding";
import { ustarHeader, withAssetHashes } from "../../../tools/program/assetHashes";

const sha256 = (bytes: string | Buffer) => createHash("sha256").update(bytes).digest("hex");
const text = (value: string) => ({ [SIG_KEY]: ASSET_SIG, text: value });
const file = (where: string) => ({ [SIG_KEY]: ASSET_SIG, path: where });
const archive = (assets: Record<string, unknown>) => ({ [SIG_KEY]: ARCHIVE_SIG, assets });
const hashOf = (value: unknown, wd = process.cwd()) => (withAssetHashes(value, wd) as { hash?: string }).hash;

describe("the engine's asset and archive hashes (tools/program/assetHashes.ts)", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-asset-hashes-"));
    fs.mkdirSync(path.join(dir, "a", "chunks"), { recursive: true });
    fs.mkdirSync(path.join(dir, "b", "chunks"), { recursive: true });
    for (const side of ["a", "b"]) {
      fs.writeFileSync(path.join(dir, side, "index.mjs"), "export const handler = () => 1;\n");
      fs.writeFileSync(path.join(dir, side, "chunks", "lazy-X1.mjs"), "x".repeat(513));
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("hashes an asset as the SHA-256 of its bytes, from its text or its file alike", () => {
    assert.equal(hashOf(text("export const handler = () => 1;\n")), sha256("export const handler = () => 1;\n"));
    assert.equal(hashOf(file("a/index.mjs"), dir), sha256("export const handler = () => 1;\n"), "a relative path is read from the working directory");
  });

  it("hashes an empty archive as the engine's own test vector (sdk/go/common/resource/asset_test.go)", () => {
    assert.equal(hashOf(archive({})), "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");
  });

  it("hashes an archive by its members' names and bytes, not by where they are read from", () => {
    const fromText = archive({ "index.mjs": text("export const handler = () => 1;\n"), "chunks/lazy-X1.mjs": text("x".repeat(513)) });
    const fromA = archive({ "index.mjs": file("a/index.mjs"), "chunks/lazy-X1.mjs": file("a/chunks/lazy-X1.mjs") });
    const fromB = archive({ "chunks/lazy-X1.mjs": file(path.join(dir, "b", "chunks", "lazy-X1.mjs")), "index.mjs": file(path.join(dir, "b", "index.mjs")) });
    const expected = hashOf(fromText);
    assert.match(expected ?? "", /^[0-9a-f]{64}$/);
    assert.equal(hashOf(fromA, dir), expected, "files instead of text: the same archive to the engine, so no diff");
    assert.equal(hashOf(fromB, dir), expected, "another directory, absolute paths, members listed in another order");
    assert.notEqual(hashOf(archive({ "index.mjs": text("export const handler = () => 2;\n"), "chunks/lazy-X1.mjs": text("x".repeat(513)) })), expected, "one byte changed");
    assert.notEqual(hashOf(archive({ "main.mjs": text("export const handler = () => 1;\n"), "chunks/lazy-X1.mjs": text("x".repeat(513)) })), expected, "a member renamed");
  });

  it("hashes the tar the engine writes: sorted members, 512-byte blocks, two zero blocks to end", () => {
    const members: [string, string][] = [
      ["chunks/lazy-X1.mjs", "x".repeat(513)],
      ["index.mjs", "export const handler = () => 1;\n"],
    ];
    const tar = Buffer.concat([
      ...members.flatMap(([name, body]) => [ustarHeader(name, body.length), Buffer.from(body), Buffer.alloc((512 - (body.length % 512)) % 512)]),
      Buffer.alloc(1024),
    ]);
    assert.equal(tar.length, 512 + 1024 + 512 + 512 + 1024);
    assert.equal(hashOf(archive(Object.fromEntries(members.map(([name, body]) => [name, text(body)])))), sha256(tar));
  });

  it("writes the USTAR header Go's archive/tar writes for tar.Header{Name, Mode: 0o600, Size}", () => {
    const header = ustarHeader("chunks/lazy-X1.mjs", 513);
    const field = (offset: number, width: number) => header.subarray(offset, offset + width).toString("latin1");
    assert.equal(header.length, 512);
    assert.equal(field(0, 100), "chunks/lazy-X1.mjs".padEnd(100, "\0"));
    assert.equal(field(100, 8), "0000600\0", "mode");
    assert.equal(field(108, 8), "0000000\0", "uid");
    assert.equal(field(116, 8), "0000000\0", "gid");
    assert.equal(field(124, 12), "00000001001\0", "size 513 in octal");
    assert.equal(field(136, 12), "00000000000\0", "a zero ModTime is the Unix epoch");
    assert.equal(field(156, 1), "0", "a regular file");
    assert.equal(field(257, 8), "ustar\u000000", "magic and version");
    assert.equal(field(329, 16), "0000000\0".repeat(2), "device numbers");
    // The checksum: six octal digits, NUL, space; the sum of all bytes with its own field as spaces.
    assert.match(field(148, 8), /^[0-7]{6}\0 $/);
    let sum = 0;
    header.forEach((byte, i) => (sum += i >= 148 && i < 156 ? 0x20 : byte));
    assert.equal(Number.parseInt(field(148, 6), 8), sum);
  });

  it("adds hashes at any depth, keeps a hash already there, and shares every part without an asset", () => {
    const environment = { variables: { A: "1" } };
    const props = { name: "f", environment, code: archive({ "index.mjs": text("x") }), layers: [{ content: text("y") }] };
    const hashed = withAssetHashes(props, dir);
    assert.equal(hashed.environment, environment, "no copy of what holds no asset");
    assert.equal((hashed.code as { hash?: string }).hash, hashOf(archive({ "index.mjs": text("x") })));
    assert.equal(((hashed.code as { assets: Record<string, { hash?: string }> }).assets["index.mjs"] as { hash?: string }).hash, sha256("x"), "members get theirs too");
    assert.equal((hashed.layers[0]?.content as { hash?: string }).hash, sha256("y"));
    const given = { ...text("z"), hash: "given" };
    assert.equal(withAssetHashes({ a: given }, dir).a, given);
    assert.equal((props.code as { hash?: string }).hash, undefined, "the input is not changed");
  });

  it("leaves without a hash what the engine would fetch or walk, and names a USTAR header cannot hold", () => {
    assert.equal(hashOf({ [SIG_KEY]: ASSET_SIG, uri: "https://example.com/x" }), undefined);
    assert.equal(hashOf({ [SIG_KEY]: ARCHIVE_SIG, path: "a" }, dir), undefined, "a directory or archive file");
    assert.equal(hashOf(archive({ "é.mjs": text("x") })), undefined, "not ASCII: Go would write PAX");
    assert.equal(hashOf(archive({ [`${"d/".repeat(50)}x.mjs`]: text("x") })), undefined, "over 100 bytes");
  });

  it("fails loudly on a file asset that is not there (the engine would fail the registration)", () => {
    assert.throws(() => withAssetHashes(archive({ "index.mjs": file("missing/index.mjs") }), dir), /ENOENT/);
  });
});
