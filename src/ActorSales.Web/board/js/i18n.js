// Labels in English and Chinese. The page follows the browser's language (navigator.languages) until the user picks
// one with the switch, which is remembered in this browser.

const MESSAGES = {
  en: {
    title: 'Sales board',
    skip: 'Skip to the board',
    'lang.switch': '中文',
    'lang.switchLabel': 'Switch the language to Chinese',
    'signIn.heading': 'Sign in',
    'signIn.tokenLabel': 'Bearer token',
    'signIn.tokenHint': 'Paste the token your administrator or identity provider gave you. It stays in this tab only.',
    'signIn.submit': 'Open the board',
    'dev.heading': 'Development sign-in (Local profile only)',
    'dev.hint': 'Mints a token for any user with the published development key. Not offered by a production host.',
    'dev.user': 'User id',
    'dev.role': 'Role',
    'dev.submit': 'Sign in as this user',
    'role.rep': 'Rep', 'role.manager': 'Manager', 'role.director': 'Director', 'role.admin': 'Admin', 'role.service': 'Service',
    signedInAs: 'Signed in as {user} ({role})',
    signOut: 'Sign out',
    'scope.label': 'Whose board',
    'scope.mine.rep': 'My book',
    'scope.mine.manager': 'My team',
    'scope.mine.other': 'Everything I may see',
    'scope.team': 'Team: {name}',
    'scope.region': 'Region: {name}',
    'scope.owner': 'Rep: {name}',
    'status.connecting': 'Connecting…',
    'status.live': 'Live · last change shown {time}',
    'status.reconnecting': 'Connection lost; reconnecting…',
    'status.stopped': 'Not updating',
    asOf: 'Figures as of {time}',
    'heatmap.title': 'Stall heatmap',
    'heatmap.caption': 'Open deals by stage and stall level. Choose a number to list its deals.',
    'heatmap.stage': 'Stage',
    'heatmap.total': 'Total',
    'heatmap.openTotal': '{n} open deals',
    'heatmap.cellLabel': '{stage}, {level}: {n} deals',
    'heatmap.empty': 'No open deals.',
    'level.STALL_LEVEL_UNSPECIFIED': 'Within limits',
    'level.STALL_LEVEL_YELLOW': 'Warning',
    'level.STALL_LEVEL_RED': 'Over limit',
    'drill.title': 'Deals: {stage} · {level}',
    'drill.close': 'Close the list',
    'drill.loading': 'Loading…',
    'drill.none': 'No deals in this cell now.',
    'drill.more': 'Showing the first {n}.',
    'deal.title': 'Deal', 'deal.owner': 'Owner', 'deal.value': 'Value', 'deal.stage': 'Stage',
    'deal.inStageSince': 'In stage since', 'deal.signal': 'Signal', 'deal.signalSince': 'Signal since',
    'funnel.title': 'Funnel',
    'funnel.period': '{from} – {to}, pipeline {pipeline}',
    'funnel.entered': 'Entered', 'funnel.moved_on': 'Moved on', 'funnel.moved_back': 'Moved back', 'funnel.lost': 'Lost',
    'funnel.still_open': 'Still there', 'funnel.won': 'Won', 'funnel.conversion': 'To next stage', 'funnel.median': 'Median days',
    'funnel.empty': 'No stage entries in this period.',
    'forecast.title': 'Weighted forecast',
    'forecast.currency': 'Currency', 'forecast.open': 'Open amount', 'forecast.weighted': 'Weighted', 'forecast.deals': 'Deals',
    'forecast.empty': 'No open deals.',
    'interventions.title': 'Needs intervention',
    'interventions.empty': 'No deal needs intervention.',
    'release.title': 'Customers about to be released to the pool',
    'release.customer': 'Customer', 'release.owner': 'Owner', 'release.tier': 'Tier', 'release.lastFollowUp': 'Last follow-up',
    'release.never': 'never',
    'release.empty': 'No customer is about to be released.',
    'anomalies.title': "Today's anomalies",
    'anomalies.empty': 'No active anomalies.',
    'anomaly.rep': '{owner}: {metric} below the daily target for {days} working days ({actual} against {threshold} on {day})',
    'anomaly.team': 'Team {team}: {actual} % of open deals stalled (limit {threshold} %)',
    'goals.title': 'Goal progress',
    'goals.who': 'Who', 'goals.metric': 'Goal', 'goals.period': 'Period', 'goals.target': 'Target', 'goals.actual': 'Actual',
    'goals.pace': 'Pace today', 'goals.deviation': 'Deviation', 'goals.attainment': 'Attainment',
    'goals.team': 'Team {team}',
    'goals.week': 'Week of {date}',
    'goals.empty': 'No goal for the current period.',
    'metric.GOAL_METRIC_NEW_CUSTOMERS': 'New customers',
    'metric.GOAL_METRIC_EFFECTIVE_VISITS': 'Effective visits',
    'metric.GOAL_METRIC_OPPORTUNITIES_CREATED': 'Opportunities created',
    'metric.GOAL_METRIC_WON_AMOUNT': 'Won amount',
    'metric.GOAL_METRIC_COLLECTED_AMOUNT': 'Collected amount',
    'signal.FORECAST_SIGNAL_UNSPECIFIED': 'none',
    'signal.FORECAST_SIGNAL_L1': 'L1 price asked',
    'signal.FORECAST_SIGNAL_L2': 'L2 demo accepted',
    'signal.FORECAST_SIGNAL_L3': 'L3 decision chain',
    'signal.FORECAST_SIGNAL_L4': 'L4 contract review',
    'total': '{shown} of {total}',
    'error.expired': 'Your sign-in has expired or is no longer valid. Please sign in again.',
    'error.denied.team': 'You may not see the board of team “{id}”. Choose a team you are responsible for.',
    'error.denied.owner': 'You may not see the figures of “{id}”. Choose someone in your own team.',
    'error.denied.region': 'Region-wide figures are for directors: you may not see region “{id}”.',
    'error.denied.self': 'Your account may not read this board (it has no salesperson profile yet, or it is frozen for a handover). Ask your manager or an administrator.',
    'error.busy': 'Too many boards are open for you. Close another tab with the board, then try again.',
    'error.unavailable': 'The service cannot be reached right now. Retrying…',
    'error.invalid': 'The board cannot be opened with these settings.',
    'error.other': 'Something went wrong on our side. If it happens again, tell your administrator.',
    'error.signIn': 'Sign-in failed: {detail}',
    'error.noToken': 'Paste a token first.',
    'error.details': 'Details for support',
    retry: 'Try again',
  },
  zh: {
    title: '销售看板',
    skip: '跳到看板内容',
    'lang.switch': 'English',
    'lang.switchLabel': '将语言切换为英文',
    'signIn.heading': '登录',
    'signIn.tokenLabel': '访问令牌（Bearer token）',
    'signIn.tokenHint': '粘贴管理员或身份提供方给你的令牌。令牌只保存在当前标签页。',
    'signIn.submit': '打开看板',
    'dev.heading': '开发登录（仅限本地模式）',
    'dev.hint': '用公开的开发密钥为任意用户签发令牌。生产环境不提供此功能。',
    'dev.user': '用户 ID',
    'dev.role': '角色',
    'dev.submit': '以该用户登录',
    'role.rep': '销售代表', 'role.manager': '销售经理', 'role.director': '销售总监', 'role.admin': '管理员', 'role.service': '服务账号',
    signedInAs: '当前用户：{user}（{role}）',
    signOut: '退出登录',
    'scope.label': '查看范围',
    'scope.mine.rep': '我的客户',
    'scope.mine.manager': '我的团队',
    'scope.mine.other': '全部可见范围',
    'scope.team': '团队：{name}',
    'scope.region': '区域：{name}',
    'scope.owner': '销售：{name}',
    'status.connecting': '正在连接…',
    'status.live': '实时 · 最近更新 {time}',
    'status.reconnecting': '连接中断，正在重连…',
    'status.stopped': '已停止更新',
    asOf: '数据截至 {time}',
    'heatmap.title': '停滞热力图',
    'heatmap.caption': '按阶段和停滞程度统计的在途商机。点击数字查看对应商机。',
    'heatmap.stage': '阶段',
    'heatmap.total': '合计',
    'heatmap.openTotal': '在途商机 {n} 个',
    'heatmap.cellLabel': '{stage}，{level}：{n} 个商机',
    'heatmap.empty': '暂无在途商机。',
    'level.STALL_LEVEL_UNSPECIFIED': '正常',
    'level.STALL_LEVEL_YELLOW': '预警',
    'level.STALL_LEVEL_RED': '超期',
    'drill.title': '商机：{stage} · {level}',
    'drill.close': '关闭列表',
    'drill.loading': '加载中…',
    'drill.none': '该单元格当前没有商机。',
    'drill.more': '仅显示前 {n} 个。',
    'deal.title': '商机', 'deal.owner': '负责人', 'deal.value': '金额', 'deal.stage': '阶段',
    'deal.inStageSince': '进入阶段时间', 'deal.signal': '预测信号', 'deal.signalSince': '信号更新时间',
    'funnel.title': '销售漏斗',
    'funnel.period': '{from} – {to}，流程 {pipeline}',
    'funnel.entered': '进入', 'funnel.moved_on': '推进', 'funnel.moved_back': '退回', 'funnel.lost': '丢单',
    'funnel.still_open': '停留中', 'funnel.won': '赢单', 'funnel.conversion': '推进率', 'funnel.median': '中位天数',
    'funnel.empty': '本期没有阶段进入记录。',
    'forecast.title': '加权预测',
    'forecast.currency': '币种', 'forecast.open': '在途金额', 'forecast.weighted': '加权金额', 'forecast.deals': '商机数',
    'forecast.empty': '暂无在途商机。',
    'interventions.title': '需干预商机',
    'interventions.empty': '没有需要干预的商机。',
    'release.title': '即将释放到公海的客户',
    'release.customer': '客户', 'release.owner': '负责人', 'release.tier': '等级', 'release.lastFollowUp': '最近跟进',
    'release.never': '从未跟进',
    'release.empty': '没有即将释放的客户。',
    'anomalies.title': '今日异常预警',
    'anomalies.empty': '暂无异常。',
    'anomaly.rep': '{owner}：{metric}连续 {days} 个工作日低于日目标（{day}：{actual} / {threshold}）',
    'anomaly.team': '团队 {team}：{actual}% 的在途商机停滞（阈值 {threshold}%）',
    'goals.title': '目标进度',
    'goals.who': '对象', 'goals.metric': '指标', 'goals.period': '周期', 'goals.target': '目标', 'goals.actual': '实际',
    'goals.pace': '当前进度线', 'goals.deviation': '偏差', 'goals.attainment': '达成率',
    'goals.team': '团队 {team}',
    'goals.week': '{date} 起的一周',
    'goals.empty': '当前周期没有目标。',
    'metric.GOAL_METRIC_NEW_CUSTOMERS': '新客户数',
    'metric.GOAL_METRIC_EFFECTIVE_VISITS': '有效拜访',
    'metric.GOAL_METRIC_OPPORTUNITIES_CREATED': '新建商机',
    'metric.GOAL_METRIC_WON_AMOUNT': '赢单金额',
    'metric.GOAL_METRIC_COLLECTED_AMOUNT': '回款金额',
    'signal.FORECAST_SIGNAL_UNSPECIFIED': '无',
    'signal.FORECAST_SIGNAL_L1': 'L1 询价',
    'signal.FORECAST_SIGNAL_L2': 'L2 接受演示',
    'signal.FORECAST_SIGNAL_L3': 'L3 明确决策链',
    'signal.FORECAST_SIGNAL_L4': 'L4 约定合同评审',
    'total': '{shown} / 共 {total}',
    'error.expired': '登录已过期或已失效，请重新登录。',
    'error.denied.team': '你无权查看团队“{id}”的看板，请选择你负责的团队。',
    'error.denied.owner': '你无权查看“{id}”的数据，请选择你团队中的成员。',
    'error.denied.region': '区域数据仅限总监查看：你无权查看区域“{id}”。',
    'error.denied.self': '你的账号当前无权查看看板（尚未建立销售档案，或正在交接而被冻结），请联系你的经理或管理员。',
    'error.busy': '你打开的看板过多。请关闭其他看板标签页后重试。',
    'error.unavailable': '暂时无法连接服务，正在重试…',
    'error.invalid': '无法按当前设置打开看板。',
    'error.other': '服务出现问题。如再次出现，请联系管理员。',
    'error.signIn': '登录失败：{detail}',
    'error.noToken': '请先粘贴令牌。',
    'error.details': '技术详情',
    retry: '重试',
  },
};

const STORAGE_KEY = 'actorsales.board.language';

let current = 'en';

/** The language to start in: the user's pick in this browser, else the first of the browser's languages we have. */
export function initialLanguage() {
  const stored = safeStorage()?.getItem(STORAGE_KEY);
  if (stored && MESSAGES[stored]) return stored;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (MESSAGES[base]) return base;
  }
  return 'en';
}

export function setLanguage(language, remember) {
  current = MESSAGES[language] ? language : 'en';
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  if (remember) safeStorage()?.setItem(STORAGE_KEY, current);
  for (const element of document.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
  for (const element of document.querySelectorAll('[data-i18n-label]')) element.setAttribute('aria-label', t(element.dataset.i18nLabel));
  document.title = t('title');
}

export function language() {
  return current;
}

/** A BCP 47 tag for Intl formatting. */
export function locale() {
  return current === 'zh' ? 'zh-CN' : 'en';
}

/** The label `key` in the current language, with {name} placeholders filled from `params`. */
export function t(key, params = {}) {
  const text = MESSAGES[current][key] ?? MESSAGES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] ?? `{${name}}`).toString());
}

function safeStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
