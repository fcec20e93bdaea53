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
