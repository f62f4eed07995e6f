// Every string the app shows, Chinese first, English second.
export const messages = {
  zh: {
    title: '网格通 · 网格化服务管理',
    subtitle: '群众有所呼，网格有所应',
    lang: 'English',
    status: '系统状态',
    ready: '运行正常',
    notReady: '暂不可用',
    schema: '数据库版本',
    categories: '案件类别',
    code: '编码',
    name: '名称',
    limit: '办理时限',
    hours: (n) => `${n} 个工作小时`,
    inherited: '（沿用上级）',
    empty: '暂无类别',
    addTitle: '新增类别',
    parent: '上级类别',
    topLevel: '（一级类别）',
    nameZh: '中文名称',
    nameEn: '英文名称',
    save: '保存',
    saved: '已保存',
    loading: '加载中…',
    loadFailed: '加载失败',
  },
  en: {
    title: 'gridline · grid-based service and governance',
    subtitle: 'Every call from the people gets an answer from the grid',
    lang: '中文',
    status: 'System status',
    ready: 'Ready',
    notReady: 'Not ready',
    schema: 'Schema version',
    categories: 'Case categories',
    code: 'Code',
    name: 'Name',
    limit: 'Time limit',
    hours: (n) => `${n} working hours`,
    inherited: ' (from parent)',
    empty: 'No categories yet',
    addTitle: 'Add a category',
    parent: 'Parent',
    topLevel: '(top level)',
    nameZh: 'Chinese name',
    nameEn: 'English name',
    save: 'Save',
    saved: 'Saved',
    loading: 'Loading…',
    loadFailed: 'Could not load',
  },
};

export function pickLang() {
  const saved = localStorage.getItem('gridline.lang');
  if (saved === 'zh' || saved === 'en') return saved;
  return 'zh';
}
