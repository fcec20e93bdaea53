/**
 * Lua helpers shared by the scripts: stream ids "ms-seq" compared numerically (a string
 * compare would put "10-0" before "9-0"), the id right after one, and a flat `[k, v, ...]`
 * reply (XINFO STREAM, a group of XINFO GROUPS) as a table.
 */
export const LUA_ID_HELPERS = `
local function fields_of(flat)
  local t = {}
  for i = 1, #flat, 2 do t[flat[i]] = flat[i + 1] end
  return t
end
local function parse_id(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function id_lt(a, b)
  local am, as = parse_id(a)
  local bm, bs = parse_id(b)
  return am < bm or (am == bm and as < bs)
end
local function next_id(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  -- %d, not tostring: Lua 5.1 writes large numbers as 1.8e+19, which no stream id is.
  if seq == '18446744073709551615' then return string.format('%d', tonumber(ms) + 1) .. '-0' end
  return ms .. '-' .. string.format('%d', tonumber(seq) + 1)
end
`;

/**
 * Lua: after an XTRIM MINID that removed entries some group had not read, every such group
 * starts after them (XGROUP SETID ... ENTRIESREAD): its last-delivered-id moves to `last_gone`
 * (the last trimmed entry's id, or any id between it and the first entry kept), and its
 * entries-read becomes the number of entries added up to there (`added` - the stream's length
 * now). Redis's lag (entries-added - entries-read) then counts only entries the group can
 * still read; without this it kept counting the trimmed ones for good (Redis 7.0), so status,
 * the lag gauge and KEDA saw a backlog that did not exist. pcall: a refused SETID must not
 * undo the trim. Needs LUA_ID_HELPERS.
 */
export const LUA_SKIP_TRIMMED = `
local function skip_trimmed(frames, last_gone, added)
  local read = added - redis.call('XLEN', frames)
  local groups = redis.call('XINFO', 'GROUPS', frames)
  for _, g in ipairs(groups) do
    local gf = fields_of(g)
    if id_lt(gf['last-delivered-id'], last_gone) then
      redis.pcall('XGROUP', 'SETID', frames, gf['name'], last_gone, 'ENTRIESREAD', read)
    end
  end
end
`;
