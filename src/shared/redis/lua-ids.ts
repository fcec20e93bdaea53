/**
 * Lua helpers shared by the scripts: stream ids "ms-seq" compared numerically (a string
 * compare would put "10-0" before "9-0") and the id right after one.
 */
export const LUA_ID_HELPERS = `
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
  local ms, seq = parse_id(id)
  return ms .. '-' .. tostring(seq + 1)
end
`;

/**
 * Lua: after an XTRIM MINID `trim_to` that removed entries some group had not read, every such
 * group starts right before `trim_to` (XGROUP SETID ... ENTRIESREAD): its last-delivered-id
 * moves past the entries that are gone, and its entries-read becomes the number of entries
 * added before `trim_to` (`added` - the stream's length now). Redis's lag (entries-added -
 * entries-read) then counts only entries the group can still read; without this it kept
 * counting the trimmed ones for good (Redis 7.0), so status, the lag gauge and KEDA saw a
 * backlog that did not exist. pcall: a refused SETID must not undo the trim.
 * Needs LUA_ID_HELPERS.
 */
export const LUA_SKIP_TRIMMED = `
local function prev_id(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  if tonumber(seq) > 0 then return ms .. '-' .. string.format('%d', tonumber(seq) - 1) end
  return string.format('%d', tonumber(ms) - 1) .. '-18446744073709551615'
end
local function skip_trimmed(frames, trim_to, added)
  local before = prev_id(trim_to)
  local read = added - redis.call('XLEN', frames)
  local groups = redis.call('XINFO', 'GROUPS', frames)
  for _, g in ipairs(groups) do
    local name, last
    for i = 1, #g, 2 do
      if g[i] == 'name' then name = g[i + 1] end
      if g[i] == 'last-delivered-id' then last = g[i + 1] end
    end
    if id_lt(last, before) then
      redis.pcall('XGROUP', 'SETID', frames, name, before, 'ENTRIESREAD', read)
    end
  end
end
`;
